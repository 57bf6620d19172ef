import Foundation

/// How a path runs between two points of latent space.
///
/// ```
/// linear:    z(t) = p + t (q - p)
/// spherical: z(t) = sin((1 - t) ω) / sin ω · p + sin(t ω) / sin ω · q,   cos ω = p·q / (|p| |q|)
/// ```
/// - The ends are exact: `point(at: 0, ...)` is `p` and `point(at: 1, ...)` is `q`.
/// - The spherical path (slerp) keeps the norm of ends of equal norm, as typical samples of
///   N(0, I) have; the straight line between them cuts inside the sphere. When the ends are
///   (nearly) parallel, or either is zero, the spherical path is the straight line.
public enum LatentPath: String, Sendable, CaseIterable {
    /// A straight line.
    case linear
    /// A great-circle arc (slerp), which keeps the norm typical of samples from N(0, I).
    case spherical

    /// The point a fraction `t` of the way from `p` to `q`. Allocates one array.
    public func point(at t: Float, from p: [Float], to q: [Float]) -> [Float] {
        precondition(p.count == q.count, "the ends have \(p.count) and \(q.count) components")
        if t == 1 { return q }
        let dot = zip(p, q).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        let norms = (p.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot(), q.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot())
        let cosine = norms.0 > 0 && norms.1 > 0 ? max(-1, min(1, dot / (norms.0 * norms.1))) : 1
        let omega = acos(cosine)
        guard self == .spherical, omega > 1e-4, sin(omega) > 1e-4 else {
            return blend(p, q, at: t)
        }
        let (wp, wq) = (sin((1 - t) * omega) / sin(omega), sin(t * omega) / sin(omega))
        return zip(p, q).map { wp * $0 + wq * $1 }
    }

    /// Point `i` of `count` evenly spaced along the path, ends included (`count` at least 2).
    public func point(_ i: Int, of count: Int, from p: [Float], to q: [Float]) -> [Float] {
        point(at: LatentPath.fraction(i, of: count), from: p, to: q)
    }

    /// `count` points evenly spaced along the path, ends included (`count` at least 2).
    public func points(count: Int, from p: [Float], to q: [Float]) -> [[Float]] {
        (0..<count).map { point($0, of: count, from: p, to: q) }
    }

    /// How far along its path frame `i` of `count` is: `i / (count - 1)`.
    public static func fraction(_ i: Int, of count: Int) -> Float {
        precondition(count >= 2 && (0..<count).contains(i), "frame \(i) of \(count): a path needs at least 2 frames")
        return Float(i) / Float(count - 1)
    }
}

/// `a + t (b - a)`, exactly `b` at `t = 1`: the straight path, in latent or in pixel space.
func blend(_ a: [Float], _ b: [Float], at t: Float) -> [Float] {
    precondition(a.count == b.count, "blending \(a.count) values with \(b.count)")
    if t == 1 { return b }
    return zip(a, b).map { $0 + t * ($1 - $0) }
}
