/// The top principal axes of a set of points: the mean and the unit directions of largest
/// variance, found by power iteration with deflation on the covariance matrix.
///
/// Deterministic: each search starts from a fixed vector, and each direction is signed so that
/// its largest component is positive.
/// - Complexity: O(N L²) for the covariance, then O(200 L²) per axis; meant to run once per
///   change of map, not inside the frame loop.
public struct PrincipalAxes: Sendable {
    /// The points' mean, [L].
    public let mean: [Float]
    /// Orthonormal directions, largest variance first, each [L].
    public let directions: [[Float]]

    /// The first `count` principal axes of the rows of `points` [N, L] (at most L of them).
    public init(_ points: Tensor, count: Int) {
        let (n, l) = (points.rows, points.rowSize)
        var mean = [Double](repeating: 0, count: l)
        for i in 0..<n { for j in 0..<l { mean[j] += Double(points[i * l + j]) } }
        mean = mean.map { $0 / Double(max(1, n)) }
        var covariance = [Double](repeating: 0, count: l * l)
        for i in 0..<n {
            for a in 0..<l {
                let da = Double(points[i * l + a]) - mean[a]
                for b in 0..<l { covariance[a * l + b] += da * (Double(points[i * l + b]) - mean[b]) }
            }
        }
        var directions: [[Double]] = []
        for k in 0..<min(count, l) {
            // Start from a fixed vector off every found axis, so the result is deterministic.
            var v = [Double](repeating: 0, count: l)
            for j in 0..<l {
                let start: Double = (j + k) % l == 0 ? 1 : 0
                v[j] = start + 0.01 * Double(j + 1)
            }
            for _ in 0..<200 {
                var next = [Double](repeating: 0, count: l)
                for a in 0..<l {
                    var sum = 0.0
                    for b in 0..<l { sum += covariance[a * l + b] * v[b] }
                    next[a] = sum
                }
                for d in directions {
                    var along = 0.0
                    for j in 0..<l { along += next[j] * d[j] }
                    for j in 0..<l { next[j] -= along * d[j] }
                }
                let norm = next.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 1e-12 else { break }
                v = next.map { $0 / norm }
            }
            // A fixed sign: the largest component positive.
            if let largest = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) }), v[largest] < 0 { v = v.map { -$0 } }
            directions.append(v)
        }
        self.mean = mean.map(Float.init)
        self.directions = directions.map { $0.map(Float.init) }
    }
}
