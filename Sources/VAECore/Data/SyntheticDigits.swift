import Foundation

/// Handwriting-like digits 0-9 drawn from strokes, generated in-process: a labelled 28x28 set
/// that needs no download, deterministic by seed.
///
/// Each digit is a few polylines in a unit box. Every image draws them with its own stroke
/// thickness, slant, rotation, scale, aspect, position, ink intensity and a jitter of each
/// control point, anti-aliased by distance to the nearest stroke.
public enum SyntheticDigits {
    /// Training images in the default `synthetic` spec; the test set is a sixth of this.
    public static let defaultTrainCount = 12_000
    /// The most training images `synthetic:COUNT` makes (about 730 MB with the test sixth).
    public static let maximumTrainCount = 200_000

    /// Image size of the set.
    public static let shape = ImageShape.mnist

    /// Class names, by label.
    public static let classNames = (0...9).map(String.init)

    typealias Point = (x: Float, y: Float)

    /// Strokes of each digit in a unit box, y pointing down.
    static let strokes: [[[Point]]] = [
        [ellipse(cx: 0.5, cy: 0.5, rx: 0.32, ry: 0.45, from: 0, to: 1)],
        [[(0.32, 0.22), (0.55, 0.05), (0.55, 0.95)]],
        [[(0.18, 0.25), (0.3, 0.09), (0.5, 0.04), (0.7, 0.09), (0.8, 0.25), (0.74, 0.42), (0.2, 0.95), (0.86, 0.95)]],
        [[(0.2, 0.1), (0.45, 0.04), (0.72, 0.1), (0.78, 0.27), (0.62, 0.44), (0.4, 0.48)],
         [(0.62, 0.5), (0.8, 0.66), (0.76, 0.86), (0.5, 0.96), (0.18, 0.88)]],
        [[(0.66, 0.95), (0.66, 0.05), (0.14, 0.66), (0.88, 0.66)]],
        [[(0.8, 0.05), (0.27, 0.05), (0.22, 0.45), (0.55, 0.38), (0.78, 0.52), (0.8, 0.76), (0.6, 0.94), (0.35, 0.96), (0.18, 0.86)]],
        [[(0.72, 0.06), (0.45, 0.18), (0.26, 0.45), (0.22, 0.72), (0.34, 0.92), (0.56, 0.95), (0.74, 0.82),
          (0.76, 0.64), (0.6, 0.52), (0.38, 0.54), (0.24, 0.68)]],
        [[(0.14, 0.06), (0.86, 0.06), (0.62, 0.5), (0.42, 0.95)]],
        [ellipse(cx: 0.5, cy: 0.27, rx: 0.24, ry: 0.22, from: 0, to: 1),
         ellipse(cx: 0.5, cy: 0.72, rx: 0.3, ry: 0.24, from: 0, to: 1)],
        [ellipse(cx: 0.48, cy: 0.3, rx: 0.28, ry: 0.25, from: 0, to: 1),
         [(0.76, 0.3), (0.72, 0.6), (0.62, 0.95)]],
    ]

    /// Points along an ellipse, angles given as fractions of a full turn.
    static func ellipse(cx: Float, cy: Float, rx: Float, ry: Float, from: Float, to: Float) -> [Point] {
        (0...20).map { i in
            let t = 2 * Float.pi * (from + (to - from) * Float(i) / 20)
            return (cx + rx * cos(t), cy + ry * sin(t))
        }
    }

    /// `count` images with labels 0-9 in turn, drawn with randomness from `seed`.
    public static func generate(count: Int, seed: UInt64, name: String) -> Dataset {
        GeneratedImages.make(count: count, seed: seed, name: name, shape: shape, classNames: classNames) { draw(digit: $0, into: $1, rng: &$2) }
    }

    /// Training and test sets from one seed; the test set is a sixth the size of the training
    /// set. With `testOnly` the training set is left empty (the test set is the same).
    public static func split(trainCount: Int, seed: UInt64, testOnly: Bool = false) -> DataSplit {
        GeneratedImages.split(trainCount: trainCount, seed: seed, testOnly: testOnly, name: "synthetic", generate: generate)
    }

    /// Draws one digit with a random style into a zeroed 28x28 image.
    static func draw(digit: Int, into image: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator) {
        let side = Float(shape.width)
        let scale = rng.uniform(15, 21)
        let aspect = rng.uniform(0.75, 1.1)
        let slant = rng.uniform(-0.35, 0.35)
        let angle = rng.uniform(-0.18, 0.18)
        let thickness = rng.uniform(1.1, 2.8)
        let ink = rng.uniform(0.75, 1.0)
        let centreX = side / 2 + rng.uniform(-2, 2)
        let centreY = side / 2 + rng.uniform(-2, 2)
        let (cosA, sinA) = (cos(angle), sin(angle))
        // Unit box -> pixel coordinates: centre, slant (shear in x by y), scale, rotate, place.
        func place(_ p: Point, jitter: Point) -> Point {
            let u = (p.x + jitter.x - 0.5) * aspect, v = p.y + jitter.y - 0.5
            let sheared = u - slant * v
            let x = sheared * scale, y = v * scale
            return (centreX + cosA * x - sinA * y, centreY + sinA * x + cosA * y)
        }
        var segments: [(a: Point, b: Point)] = []
        for stroke in strokes[digit] {
            let placed = stroke.map { place($0, jitter: (rng.uniform(-0.03, 0.03), rng.uniform(-0.03, 0.03))) }
            for i in 1..<placed.count { segments.append((placed[i - 1], placed[i])) }
        }
        let radius = thickness / 2
        for (a, b) in segments {
            // Only pixels near the segment's bounding box can be touched.
            let margin = radius + 1
            let x0 = max(0, Int((min(a.x, b.x) - margin).rounded(.down)))
            let x1 = min(shape.width - 1, Int((max(a.x, b.x) + margin).rounded(.up)))
            let y0 = max(0, Int((min(a.y, b.y) - margin).rounded(.down)))
            let y1 = min(shape.height - 1, Int((max(a.y, b.y) + margin).rounded(.up)))
            guard x0 <= x1, y0 <= y1 else { continue }
            let (dx, dy) = (b.x - a.x, b.y - a.y)
            let lengthSquared = max(dx * dx + dy * dy, 1e-6)
            for py in y0...y1 {
                for px in x0...x1 {
                    let (cx, cy) = (Float(px) + 0.5, Float(py) + 0.5)
                    let t = min(1, max(0, ((cx - a.x) * dx + (cy - a.y) * dy) / lengthSquared))
                    let (ex, ey) = (cx - (a.x + t * dx), cy - (a.y + t * dy))
                    let distance = (ex * ex + ey * ey).squareRoot()
                    let coverage = min(1, max(0, radius + 0.5 - distance)) * ink
                    let i = py * shape.width + px
                    if coverage > image[i] { image[i] = coverage }
                }
            }
        }
    }
}
