import Foundation

/// Coloured shapes generated in-process: a labelled colour set of 32x32 or 64x64 images that
/// needs no files, deterministic by seed, the colour counterpart of `SyntheticDigits` (or gray,
/// the colours made gray as colour files are, by `Netpbm.luma`).
///
/// Each image is one shape (the label) of random hue, size, position and rotation on a plain
/// background of another colour, anti-aliased by 3x3 samples a pixel. Pixels are stored as
/// PyTorch lays out an image: the red plane, then the green, then the blue.
public enum Sprites {
    /// Training images in the default `sprites` spec; the test set is a sixth of this.
    public static let defaultTrainCount = 12_000
    /// The most training images `sprites:COUNT` makes (about 700 MB with the test sixth).
    public static let maximumTrainCount = 50_000

    /// Image size of the set by default.
    public static let shape = ImageShape(channels: 3, height: 32, width: 32)
    /// The sides the shapes are drawn at.
    public static let sizes = [32, 64]

    /// The shapes, by label.
    public static let classNames = ["circle", "square", "triangle", "diamond", "cross", "ring"]

    /// `count` images with random shapes of `size` (one of `sizes`) pixels a side and
    /// `channels` (3, or 1 for gray), drawn with randomness from `seed`: the same seed draws
    /// the same shapes at every size.
    public static func generate(count: Int, seed: UInt64, name: String, size: Int = 32, channels: Int = 3) -> Dataset {
        precondition(sizes.contains(size) && (channels == 1 || channels == 3), "sprites of \(channels)x\(size)x\(size)")
        let shape = ImageShape(channels: channels, height: size, width: size)
        var colour = [Float](repeating: 0, count: 3 * size * size)
        return GeneratedImages.make(count: count, seed: seed, name: name, shape: shape, classNames: classNames) { label, image, rng in
            guard channels == 1 else { return draw(label, side: size, into: image, rng: &rng) }
            colour.withUnsafeMutableBufferPointer { draw(label, side: size, into: $0, rng: &rng) }
            let plane = size * size
            for i in 0..<plane { image[i] = Netpbm.luma(red: colour[i], green: colour[plane + i], blue: colour[2 * plane + i]) }
        }
    }

    /// Training and test sets from one seed; the test set is a sixth the size of the training
    /// set. With `testOnly` the training set is left empty (the test set is the same).
    public static func split(trainCount: Int, seed: UInt64, size: Int = 32, channels: Int = 3, testOnly: Bool = false) -> DataSplit {
        GeneratedImages.split(trainCount: trainCount, seed: seed, testOnly: testOnly, name: "sprites") { count, seed, name in
            generate(count: count, seed: seed, name: name, size: size, channels: channels)
        }
    }

    /// Whether the point (u, v) of a shape's own frame (radius 1, y down) is inside shape `label`.
    static func contains(_ label: Int, _ u: Float, _ v: Float) -> Bool {
        switch label {
        case 0: return u * u + v * v <= 1
        case 1: return max(abs(u), abs(v)) <= 0.78
        case 2: return insideTriangle(u, v)
        case 3: return abs(u) / 0.75 + abs(v) <= 1
        case 4: return (abs(u) <= 0.3 && abs(v) <= 0.95) || (abs(v) <= 0.3 && abs(u) <= 0.95)
        default: return (0.36...1).contains(u * u + v * v)
        }
    }

    /// The equilateral triangle with its corners on the unit circle, one pointing up.
    private static func insideTriangle(_ u: Float, _ v: Float) -> Bool {
        // Each edge's inward half-plane: below the bottom edge's line is out, and so on.
        let s3 = Float(3).squareRoot()
        return v <= 0.5 && s3 * u - v <= 1 && -s3 * u - v <= 1
    }

    /// An sRGB colour of hue `h` (turns), saturation `s` and value `v`.
    static func rgb(hue h: Float, saturation s: Float, value v: Float) -> (Float, Float, Float) {
        let sector = (h - h.rounded(.down)) * 6
        let f = sector - sector.rounded(.down)
        let (p, q, t) = (v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f)))
        switch Int(sector) % 6 {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }

    /// Draws one shape with a random style into a colour image of `side` pixels a side.
    static func draw(_ label: Int, side: Int, into image: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator) {
        // A muted background, dark or light, and a saturated shape of another hue.
        let backgroundHue = rng.uniform(0, 1)
        let background = rgb(hue: backgroundHue, saturation: rng.uniform(0, 0.4),
                             value: rng.index(below: 2) == 0 ? rng.uniform(0.05, 0.35) : rng.uniform(0.65, 0.95))
        let ink = rgb(hue: backgroundHue + rng.uniform(0.2, 0.8), saturation: rng.uniform(0.6, 1), value: rng.uniform(0.6, 1))
        let radius = rng.uniform(0.22, 0.42) * Float(side)
        let centre = (x: rng.uniform(radius, Float(side) - radius), y: rng.uniform(radius, Float(side) - radius))
        let angle = rng.uniform(0, 2 * Float.pi)
        let (cosA, sinA) = (cos(angle), sin(angle))
        let plane = side * side
        for y in 0..<side {
            for x in 0..<side {
                var covered = 0
                for sy in 0..<3 {
                    for sx in 0..<3 {
                        let dx = (Float(x) + (Float(sx) + 0.5) / 3 - centre.x) / radius
                        let dy = (Float(y) + (Float(sy) + 0.5) / 3 - centre.y) / radius
                        if contains(label, cosA * dx + sinA * dy, -sinA * dx + cosA * dy) { covered += 1 }
                    }
                }
                let t = Float(covered) / 9
                let i = y * side + x
                image[i] = background.0 + t * (ink.0 - background.0)
                image[plane + i] = background.1 + t * (ink.1 - background.1)
                image[2 * plane + i] = background.2 + t * (ink.2 - background.2)
            }
        }
    }
}
