import VAECore

/// Draws the explore view: the latent map on the left; on the right the decoded image, as large
/// as the panel allows, and the legend of the map's classes.
public struct ExploreView {
    public var abilities: TerminalAbilities

    public init(abilities: TerminalAbilities) {
        self.abilities = abilities
    }

    /// Smallest terminal the view fits in.
    public static let minimumSize = (columns: 60, rows: 20)

    /// Columns of the image panel on the right of a screen `width` wide: half of it, at least
    /// 30; the map takes the rest but one.
    static func imageColumns(width: Int) -> Int { max(30, width / 2) }

    /// Fills `grid` (the whole body above the status bar) for `state`; returns where the map's
    /// square went, for mouse clicks.
    @discardableResult
    public func draw(_ state: ExploreState, into grid: inout Grid, top: Int, rows: Int) -> MapLayout {
        let imageColumns = ExploreView.imageColumns(width: grid.width)
        let mapColumns = grid.width - imageColumns - 1
        let layout = LatentMapView(abilities: abilities).draw(state, into: &grid, x: 0, y: top, columns: mapColumns, rows: rows)
        drawImagePanel(state, into: &grid, x: mapColumns + 1, y: top, columns: imageColumns, rows: rows)
        return layout
    }

    /// The decoded image, large, with the cursor's coordinates above it, a caption below (the
    /// nearest image when the cursor sits on one) and the legend at the bottom.
    func drawImagePanel(_ state: ExploreState, into grid: inout Grid, x: Int, y: Int, columns: Int, rows: Int) {
        let side = state.data.shape
        grid.put(coordinates(state.cursor, width: columns), x: x, y: y, maxWidth: columns)
        let map = LatentMapView(abilities: abilities)
        let names = state.data.classNames
        let legendRows = min(map.legendSize(names, columns: columns), rows / 3)
        let imageRows = max(2, rows - 2 - (legendRows > 0 ? legendRows + 1 : 0))
        let renderer = ImageRenderer(mode: abilities.imageGlyphs, color: abilities.usesColor)
        let caption: PriorityLine
        if let nearest = state.nearest {
            let half = (columns - 1) / 2
            renderer.draw(Array(state.data.image(nearest)), shape: side, into: &grid,
                          x: x, y: y + 1, columns: half, rows: imageRows)
            renderer.draw(state.decoded, shape: side, into: &grid,
                          x: x + half + 1, y: y + 1, columns: half, rows: imageRows)
            caption = PriorityLine([.init("#\(nearest) \(state.data.className(of: nearest) ?? "unlabelled")", priority: 2),
                                    .init("original | reconstruction", priority: 1)])
        } else {
            renderer.draw(state.decoded, shape: side, into: &grid,
                          x: x, y: y + 1, columns: columns, rows: imageRows)
            caption = PriorityLine([.init("decoded at the cursor", priority: 2), .init("step \(ExploreView.formatted(state.step))", priority: 1)])
        }
        grid.put(caption.text(width: columns), x: x, y: y + 1 + imageRows, style: state.nearest == nil ? .dim : [], maxWidth: columns)
        map.drawLegend(names, into: &grid, x: x, y: y + rows - legendRows, columns: columns, rows: legendRows)
    }

    /// "z = (0.5, -1.25, ...)": as many of the cursor's coordinates as fit in `width`.
    func coordinates(_ z: [Float], width: Int) -> String {
        let values = z.map(ExploreView.formatted)
        for shown in stride(from: values.count, through: 1, by: -1) {
            let more = shown < values.count ? ", ..." : ""
            let text = "z = (\(values.prefix(shown).joined(separator: ", "))\(more))"
            if text.count <= width { return text }
        }
        return "z = (...)"
    }

    /// A value rounded to two decimals, without trailing zeros.
    static func formatted(_ value: Float) -> String {
        guard value.isFinite, abs(value) < 1e9 else { return "\(value)" }
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
