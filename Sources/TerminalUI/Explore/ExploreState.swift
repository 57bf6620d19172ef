import VAECore

/// What the explore view shows: a model, the encodings of a dataset, and a cursor in latent
/// space whose decoded image is kept up to date.
///
/// The map is a plane through latent space: an origin and two orthonormal directions, either
/// two coordinate axes (origin 0) or the top two principal axes of the encodings (origin their
/// mean). Moving the cursor moves it within that plane; its other components stay fixed.
public final class ExploreState {
    public let model: VAE
    public let data: Dataset
    /// Each image's mean red, green and blue (colour data; empty for gray), made once, when the
    /// map first colours its points by them.
    public private(set) lazy var meanColours: [(red: Float, green: Float, blue: Float)] = {
        guard data.shape.channels == 3 else { return [] }
        let plane = data.shape.width * data.shape.height
        return (0..<data.count).map { index in
            let image = data.image(index)
            func mean(_ channel: Int) -> Float {
                let start = image.startIndex + channel * plane
                return image[start..<(start + plane)].reduce(0, +) / Float(plane)
            }
            return (mean(0), mean(1), mean(2))
        }
    }()
    /// Posterior means of the data, [N, L].
    public let encoding: Encoding
    /// The two latent dimensions on the map's axes (when not on principal axes).
    public private(set) var axes: (x: Int, y: Int)
    /// Whether the map's axes are the encodings' top two principal axes.
    public private(set) var usesPrincipalAxes = false
    /// The map's plane: origin and unit directions in latent space.
    public private(set) var plane: MapPlane
    /// The full latent point under the cursor.
    public private(set) var cursor: [Float]
    /// Latent units per arrow press.
    public private(set) var step: Float = 0.25
    /// Pixels of the image decoded at the cursor.
    public private(set) var decoded: [Float]
    /// The encoded image the cursor last jumped to, if it has not moved since.
    public private(set) var nearest: Int?
    /// Whether the map shows the manifold grid (decoded images over the map) instead of the points.
    public var showsManifold = false
    private var manifoldCache: (key: [Float], images: [[Float]])?
    /// The map coordinates of every encoded image, for the current plane.
    private var positions: [(x: Float, y: Float)] = []

    /// The encoded images marked as the ends of an interpolation (keys a and b).
    public var endpoints: (a: Int?, b: Int?) = (nil, nil)
    /// Half the side of the square of the plane the map shows.
    public private(set) var radius: Float = 1

    /// Encodes `data` (at most `limit` images) with `model`.
    public init(model: VAE, data: Dataset, limit: Int = 5000) {
        self.model = model
        self.data = data.prefix(limit)
        encoding = model.encode(self.data)
        let latent = model.latentSize
        axes = (0, min(1, latent - 1))
        plane = .coordinateAxes(x: axes.x, y: axes.y, latentSize: latent)
        cursor = plane.origin
        decoded = model.decode(point: cursor)
        planeChanged()
    }

    /// Map coordinates of a latent point.
    public func position(of z: [Float]) -> (x: Float, y: Float) { plane.position(of: z) }

    /// The map coordinates of encoded image `index`.
    public func point(_ index: Int) -> (x: Float, y: Float) { positions[index] }

    /// The cursor's map coordinates.
    public var cursorPosition: (x: Float, y: Float) { position(of: cursor) }

    /// Names of the map's axes, for its label.
    public var axisNames: (x: String, y: String) { plane.axisNames }

    /// Recomputes the points' map coordinates and the map's range after the plane changed.
    private func planeChanged() {
        positions = (0..<data.count).map { position(of: latentMean(of: $0)) }
        radius = MapPlane.coveringRadius(of: positions)
    }

    /// Shows the next latent dimension on the horizontal (`horizontal`) or vertical axis,
    /// skipping the one on the other axis (and leaving principal axes). The cursor stays put.
    public func cycleAxis(horizontal: Bool) {
        let latent = model.latentSize
        guard latent > 2 else { return }
        if !usesPrincipalAxes {
            let other = horizontal ? axes.y : axes.x
            var next = ((horizontal ? axes.x : axes.y) + 1) % latent
            if next == other { next = (next + 1) % latent }
            if horizontal { axes.x = next } else { axes.y = next }
        }
        useCoordinateAxes()
    }

    /// Puts the coordinate axes `axes` on the map.
    private func useCoordinateAxes() {
        usesPrincipalAxes = false
        plane = .coordinateAxes(x: axes.x, y: axes.y, latentSize: model.latentSize)
        planeChanged()
    }

    /// Switches between coordinate axes and the encodings' top two principal axes (for latent
    /// spaces of more than two dimensions). The cursor stays put.
    public func togglePrincipalAxes() {
        let latent = model.latentSize
        guard latent > 2 else { return }
        if usesPrincipalAxes {
            useCoordinateAxes()
            return
        }
        plane = MapPlane(principalAxes: PrincipalAxes(encoding.zMean, count: 2))
        usesPrincipalAxes = true
        planeChanged()
    }

    /// Moves the cursor by whole steps along the map's axes and decodes the new point.
    public func move(dx: Int, dy: Int) {
        let now = cursorPosition
        moveTo(x: now.x + Float(dx) * step, y: now.y + Float(dy) * step)
    }

    /// Moves the cursor to the map's left or right edge, at the same height (Home and End).
    public func moveToEdge(right: Bool) {
        moveTo(x: right ? radius : -radius, y: cursorPosition.y)
    }

    /// Moves the cursor to map coordinates (x, y), kept within the map, and decodes there.
    public func moveTo(x: Float, y: Float) {
        cursor = latentPoint(x: min(radius, max(-radius, x)), y: min(radius, max(-radius, y)))
        nearest = nil
        decoded = model.decode(point: cursor)
    }

    /// The latent point at map coordinates (x, y), with the cursor's components off the plane.
    public func latentPoint(x: Float, y: Float) -> [Float] {
        plane.latentPoint(x: x, y: y, offPlane: cursor)
    }

    /// The images decoded on an n x n grid over the map, row by row from the top left: the
    /// latent-space plot of the Keras example. Decoded in one batch, and only again when the
    /// grid changes.
    public func manifold(side n: Int) -> [[Float]] {
        let corner = latentPoint(x: 0, y: 0)
        let key = corner + plane.directions.x + plane.directions.y + [Float(n), radius]
        if let cache = manifoldCache, cache.key == key { return cache.images }
        let grid = LatentGrid(side: n, radius: radius, placement: .cellCentres)
        let decoded = model.decode(grid.points(on: plane, offPlane: cursor))
        let images = (0..<(n * n)).map { decoded.row($0) }
        manifoldCache = (key, images)
        return images
    }

    /// Doubles (`bigger`) or halves the step, within 1/64 and 2 latent units.
    public func changeStep(bigger: Bool) {
        step = min(2, max(1.0 / 64, bigger ? step * 2 : step / 2))
    }

    /// The encoded image nearest the cursor on the map.
    public func nearestIndex() -> Int? {
        guard data.count > 0 else { return nil }
        let c = cursorPosition
        return positions.indices.min { a, b in
            let (p, q) = (positions[a], positions[b])
            return (p.x - c.x) * (p.x - c.x) + (p.y - c.y) * (p.y - c.y) < (q.x - c.x) * (q.x - c.x) + (q.y - c.y) * (q.y - c.y)
        }
    }

    /// Jumps to the encoded image nearest the cursor on the map and decodes it.
    public func jumpToNearest() {
        guard let index = nearestIndex() else { return }
        cursor = latentMean(of: index)
        nearest = index
        decoded = model.decode(point: cursor)
    }

    /// The posterior mean of encoded image `index`.
    public func latentMean(of index: Int) -> [Float] {
        let latent = model.latentSize
        return Array(encoding.zMean.storage[(index * latent)..<((index + 1) * latent)])
    }
}
