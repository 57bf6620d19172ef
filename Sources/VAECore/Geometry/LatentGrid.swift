/// An n x n grid of points over the square [-radius, radius]² of a map plane, row by row from
/// the top left: the latent-space plot of the Keras VAE example, decoded in one batch.
///
/// Two placements of the same square:
/// ```
/// cellCentres: x_c = -r + (c + ½) 2r / n          y_row = r - (row + ½) 2r / n
/// cellEdges:   x_c = -r + c · 2r / (n - 1)        y_row = r - row · 2r / (n - 1)   (n = 1: the centre)
/// ```
/// The explore view tiles the map with cells and decodes each at its centre; `latent sample`
/// puts its outer images on the square's edges, at ±range.
public struct LatentGrid: Sendable {
    /// Where the points sit in the square.
    public enum Placement: Sendable {
        /// At the centres of n x n equal cells that tile the square.
        case cellCentres
        /// From edge to edge, the outer rows and columns on the square's sides.
        case cellEdges
    }

    /// Points per row and per column.
    public var side: Int
    /// Half the side of the square, in map units.
    public var radius: Float
    public var placement: Placement

    /// A grid of `side` x `side` points over [-radius, radius]².
    public init(side: Int, radius: Float, placement: Placement) {
        precondition(side >= 1, "a grid needs at least one point a side, got \(side)")
        (self.side, self.radius, self.placement) = (side, radius, placement)
    }

    /// The map coordinates of the point in `row` (0 at the top) and `column` (0 at the left).
    public func position(row: Int, column: Int) -> (x: Float, y: Float) {
        let (n, r) = (side, radius)
        switch placement {
        case .cellCentres:
            return (-r + (Float(column) + 0.5) * 2 * r / Float(n), r - (Float(row) + 0.5) * 2 * r / Float(n))
        case .cellEdges:
            let step = n == 1 ? 0 : 2 * r / Float(n - 1), start = n == 1 ? 0 : r
            return (-start + Float(column) * step, start - Float(row) * step)
        }
    }

    /// Every point's map coordinates, row by row from the top left.
    public var positions: [(x: Float, y: Float)] {
        (0..<(side * side)).map { position(row: $0 / side, column: $0 % side) }
    }

    /// The grid's latent points on `plane`, [side², L] row by row from the top left, with the
    /// components off the plane of `reference` (see `MapPlane.latentPoint(x:y:offPlane:)`):
    /// ready for one `VAE.decode`.
    public func points(on plane: MapPlane, offPlane reference: [Float]) -> Tensor {
        let latent = reference.count
        var storage: [Float] = []
        storage.reserveCapacity(side * side * latent)
        for position in positions {
            storage += plane.latentPoint(x: position.x, y: position.y, offPlane: reference)
        }
        return Tensor(shape: [side * side, latent], storage: storage)
    }
}
