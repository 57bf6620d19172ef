/// A plane through latent space that a 2-D map shows: an origin and two orthonormal directions.
///
/// ```
/// position(of: z)                      = ((z - origin) · x, (z - origin) · y)
/// latentPoint(x: a, y: b, offPlane: r) = r + (a - position(of: r).x) x + (b - position(of: r).y) y
/// ```
/// Projecting is `position(of:)`; `latentPoint(x:y:offPlane:)` goes back, keeping the
/// components off the plane of a reference point (the cursor, or the origin), so that
/// `position(of: latentPoint(x: a, y: b, offPlane: r))` is `(a, b)` up to rounding.
public struct MapPlane: Sendable {
    /// Where the map's (0, 0) is, [L].
    public var origin: [Float]
    /// The unit directions of the map's horizontal and vertical axes, each [L].
    public var directions: (x: [Float], y: [Float])
    /// What the axes are called on the map's label: `z0`, `z1` or `PC1`, `PC2`.
    public var axisNames: (x: String, y: String)

    /// A plane through `origin` along `directions`, named `axisNames`.
    public init(origin: [Float], directions: (x: [Float], y: [Float]), axisNames: (x: String, y: String)) {
        precondition(directions.x.count == origin.count && directions.y.count == origin.count,
                     "directions of \(directions.x.count) and \(directions.y.count) components for an origin of \(origin.count)")
        (self.origin, self.directions, self.axisNames) = (origin, directions, axisNames)
    }

    /// The plane of latent dimensions `x` and `y` through 0, in a latent space of `latentSize`
    /// dimensions. A dimension beyond the space has direction 0: with one latent dimension the
    /// plane of dimensions 0 and 1 varies along x only.
    public static func coordinateAxes(x: Int, y: Int, latentSize: Int) -> MapPlane {
        func unit(_ index: Int) -> [Float] { (0..<latentSize).map { $0 == index ? 1 : 0 } }
        return MapPlane(origin: [Float](repeating: 0, count: latentSize), directions: (unit(x), unit(y)),
                        axisNames: ("z\(x)", "z\(y)"))
    }

    /// The plane of the top two principal axes, through the points' mean.
    public init(principalAxes axes: PrincipalAxes) {
        precondition(axes.directions.count >= 2, "a plane needs two principal axes, got \(axes.directions.count)")
        self.init(origin: axes.mean, directions: (axes.directions[0], axes.directions[1]), axisNames: ("PC1", "PC2"))
    }

    /// The map coordinates of latent point `z`: its offset from the origin along each direction.
    public func position(of z: [Float]) -> (x: Float, y: Float) {
        precondition(z.count == origin.count, "a point of \(z.count) components on a plane in \(origin.count) dimensions")
        let offset = zip(z, origin).map { $0 - $1 }
        return (MapPlane.dot(offset, directions.x), MapPlane.dot(offset, directions.y))
    }

    /// The latent point at map coordinates (x, y) whose components off the plane are those of
    /// `reference`: `reference` moved within the plane.
    public func latentPoint(x: Float, y: Float, offPlane reference: [Float]) -> [Float] {
        let now = position(of: reference)
        return zip(reference.indices, reference).map { i, value in
            value + (x - now.x) * directions.x[i] + (y - now.y) * directions.y[i]
        }
    }

    /// Half the side of a square around the origin that covers the central 98% of `positions`
    /// on either axis, with a tenth to spare, rounded up to a quarter and at least 1: the part
    /// of the plane a map of those points shows.
    public static func coveringRadius(of positions: [(x: Float, y: Float)]) -> Float {
        let magnitudes = positions.flatMap { [abs($0.x), abs($0.y)] }.sorted()
        let quantile = magnitudes.isEmpty ? 1 : magnitudes[min(magnitudes.count - 1, magnitudes.count * 98 / 100)]
        return max(1, (quantile * 1.1 * 4).rounded(.up) / 4)
    }

    private static func dot(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
