/// Where the map's square of latent space, [-radius, radius] on both axes, lies on the screen:
/// the cells that show it, so a position can be drawn and a mouse click read back.
public struct MapLayout: Equatable, Sendable {
    /// The square's left and top edges, in cells (fractional: a square of dots need not start
    /// at a cell's edge).
    public var left: Float
    public var top: Float
    /// The square's width and height, in cells.
    public var width: Float
    public var height: Float
    /// Half the side of the square, in latent units.
    public var radius: Float
    /// The cells the map may draw in; positions outside the square are clamped to it.
    public var bounds: (x: Int, y: Int, columns: Int, rows: Int)

    public static func == (a: MapLayout, b: MapLayout) -> Bool {
        a.left == b.left && a.top == b.top && a.width == b.width && a.height == b.height && a.radius == b.radius
            && a.bounds == b.bounds
    }

    /// The cell that shows map position (x, y), kept within the bounds.
    public func cell(of position: (x: Float, y: Float)) -> (x: Int, y: Int) {
        let column = Int((left + (position.x + radius) / (2 * radius) * width).rounded(.down))
        let row = Int((top + (radius - position.y) / (2 * radius) * height).rounded(.down))
        return (min(bounds.x + bounds.columns - 1, max(bounds.x, column)),
                min(bounds.y + bounds.rows - 1, max(bounds.y, row)))
    }

    /// The map position at the centre of cell (x, y), or nil when the cell is off the square.
    public func position(ofCell x: Int, _ y: Int) -> (x: Float, y: Float)? {
        let fx = (Float(x) + 0.5 - left) / width, fy = (Float(y) + 0.5 - top) / height
        guard (0...1).contains(fx), (0...1).contains(fy) else { return nil }
        return (-radius + fx * 2 * radius, radius - fy * 2 * radius)
    }
}
