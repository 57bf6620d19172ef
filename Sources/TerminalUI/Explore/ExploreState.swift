import VAECore

/// What the explore view shows: a model, the encodings of a dataset, and a cursor in latent
/// space whose decoded image is kept up to date.
public final class ExploreState {
    public let model: VAE
    public let data: Dataset
    /// Posterior means of the data, [N, L].
    public let encoding: Encoding
    /// The two latent dimensions on the map's axes.
    public private(set) var axes: (x: Int, y: Int)
    /// The full latent point under the cursor; dimensions off the axes stay fixed.
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

    /// The encoded images marked as the ends of an interpolation (keys a and b).
    public var endpoints: (a: Int?, b: Int?) = (nil, nil)
    /// Half the side of the square of latent space the map shows.
    public private(set) var radius: Float = 1

    /// Encodes `data` (at most `limit` images) with `model`.
    public init(model: VAE, data: Dataset, limit: Int = 5000) {
        self.model = model
        self.data = data.prefix(limit)
        encoding = model.encode(self.data.tensor)
        let latent = model.latentSize
        axes = (0, min(1, latent - 1))
        cursor = [Float](repeating: 0, count: latent)
        decoded = model.decode(point: cursor)
        radius = fittedRadius()
    }

    /// Half the side of a square covering the central 98% of the points on either axis (and at
    /// least [-1, 1]), rounded up to a quarter.
    private func fittedRadius() -> Float {
        let latent = model.latentSize
        var magnitudes: [Float] = []
        for i in 0..<encoding.zMean.rows {
            magnitudes.append(abs(encoding.zMean[i * latent + axes.x]))
            magnitudes.append(abs(encoding.zMean[i * latent + axes.y]))
        }
        magnitudes.sort()
        let quantile = magnitudes.isEmpty ? 1 : magnitudes[min(magnitudes.count - 1, magnitudes.count * 98 / 100)]
        return max(1, (quantile * 1.1 * 4).rounded(.up) / 4)
    }

    /// Shows the next latent dimension on the horizontal (`horizontal`) or vertical axis,
    /// skipping the one on the other axis. The cursor keeps its coordinates.
    public func cycleAxis(horizontal: Bool) {
        let latent = model.latentSize
        guard latent > 2 else { return }
        let other = horizontal ? axes.y : axes.x
        var next = ((horizontal ? axes.x : axes.y) + 1) % latent
        if next == other { next = (next + 1) % latent }
        if horizontal { axes.x = next } else { axes.y = next }
        radius = fittedRadius()
    }

    /// The map coordinates of encoded image `index`.
    public func point(_ index: Int) -> (x: Float, y: Float) {
        let latent = model.latentSize
        return (encoding.zMean[index * latent + axes.x], encoding.zMean[index * latent + axes.y])
    }

    /// Moves the cursor by whole steps along the map's axes and decodes the new point.
    public func move(dx: Int, dy: Int) {
        cursor[axes.x] = min(radius, max(-radius, cursor[axes.x] + Float(dx) * step))
        cursor[axes.y] = min(radius, max(-radius, cursor[axes.y] + Float(dy) * step))
        nearest = nil
        decoded = model.decode(point: cursor)
    }

    /// The images decoded on an n x n grid over the map, row by row from the top left: the
    /// latent-space plot of the Keras example. Dimensions off the axes take the cursor's values.
    /// Decoded in one batch, and only again when the grid changes.
    public func manifold(side n: Int) -> [[Float]] {
        let latent = model.latentSize
        var fixed = cursor
        fixed[axes.x] = 0
        fixed[axes.y] = 0
        let key = fixed + [Float(n), radius, Float(axes.x), Float(axes.y)]
        if let cache = manifoldCache, cache.key == key { return cache.images }
        var points = Tensor(zeros: [n * n, latent])
        for row in 0..<n {
            for column in 0..<n {
                var z = fixed
                z[axes.x] = -radius + (Float(column) + 0.5) * 2 * radius / Float(n)
                z[axes.y] = radius - (Float(row) + 0.5) * 2 * radius / Float(n)
                points.storage.replaceSubrange(((row * n + column) * latent)..<((row * n + column + 1) * latent), with: z)
            }
        }
        let decoded = model.decode(points)
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
        var best = (index: 0, distance: Float.infinity)
        for i in 0..<data.count {
            let p = point(i)
            let d = (p.x - cursor[axes.x]) * (p.x - cursor[axes.x]) + (p.y - cursor[axes.y]) * (p.y - cursor[axes.y])
            if d < best.distance { best = (i, d) }
        }
        return best.index
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
