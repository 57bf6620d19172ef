import Foundation

/// A colour in OKLab (Björn Ottosson, 2020, bottosson.github.io/posts/oklab): lightness and two
/// opponent axes in which Euclidean distance follows perceived difference; about 0.02 is one
/// just-noticeable difference.
public struct OKLab: Equatable, Sendable {
    public var l: Float
    public var a: Float
    public var b: Float

    public init(l: Float, a: Float, b: Float) {
        self.l = l
        self.a = a
        self.b = b
    }

    /// The colour of sRGB channels in [0, 1] (values outside are clamped).
    public init(red: Float, green: Float, blue: Float) {
        func linear(_ c: Float) -> Float {
            let v = min(max(c.isNaN ? 0 : c, 0), 1)
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        let (r, g, b) = (linear(red), linear(green), linear(blue))
        let lms = (cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b),
                   cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b),
                   cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b))
        l = 0.2104542553 * lms.0 + 0.7936177850 * lms.1 - 0.0040720468 * lms.2
        a = 1.9779984951 * lms.0 - 2.4285922050 * lms.1 + 0.4505937099 * lms.2
        self.b = 0.0259040371 * lms.0 + 0.7827717662 * lms.1 - 0.8086757660 * lms.2
    }

    /// The perceptual distance ΔE_OK to `other`.
    public func distance(to other: OKLab) -> Float {
        ((l - other.l) * (l - other.l) + (a - other.a) * (a - other.a) + (b - other.b) * (b - other.b)).squareRoot()
    }
}
