/// The pixel-space blend of two images, shown beside a latent interpolation for contrast: a
/// cross-fade passes through double exposures where the decoded path passes through images.
///
/// ```
/// image(t) = a + t (b - a)
/// ```
/// The ends are exact: `image(at: 0)` is `a`, `image(at: 1)` is `b`.
public struct CrossFade: Sendable {
    /// The image at the start.
    public var from: [Float]
    /// The image at the end, of as many pixels.
    public var to: [Float]

    /// A cross-fade from `from` to `to`, images of the same size.
    public init(from: [Float], to: [Float]) {
        precondition(from.count == to.count, "cross-fading \(from.count) pixels with \(to.count)")
        (self.from, self.to) = (from, to)
    }

    /// The blend a fraction `t` of the way. Allocates one image.
    public func image(at t: Float) -> [Float] { blend(from, to, at: t) }

    /// Frame `i` of `count` evenly spaced frames, ends included, as `LatentPath` spaces them.
    public func frame(_ i: Int, of count: Int) -> [Float] { image(at: LatentPath.fraction(i, of: count)) }

    /// `count` evenly spaced frames, ends included (`count` at least 2).
    public func frames(count: Int) -> [[Float]] { (0..<count).map { frame($0, of: count) } }
}
