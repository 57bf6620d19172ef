import ArgumentParser
import Foundation
import VAECore

/// `latent interpolate A B`: the path through latent space between two test images.
struct Interpolate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Interpolate between two test images through the latent space.",
        discussion: """
            Opens the explorer on its interpolate view: a strip of frames decoded along the \
            path between the two images' posterior means, the current frame large, and the \
            pixel-space cross-fade beside it. A and B are indices into the data's test set, or \
            PNG/JPEG/PGM/PPM files (gray or colour as the model is, fitted to its input by area \
            averaging without stretching: letterboxed, or centre-cropped with --fit crop; gray \
            ones inverted when drawn dark on light, unless --invert says otherwise). A file whose \
            name starts with a dash goes after --, which ends the options: \
            `latent interpolate --out s.png -- -shoe.png 42`.

            Example:
              latent interpolate 0 1
              latent interpolate 17 4242 --model conv2.safetensors --data fashion-mnist
              latent interpolate shoe.png 42
              latent interpolate wide-photo.png 42 --fit crop
              latent interpolate 0 1 --steps 12 --spherical --out strip.png
            """)

    @Argument(help: "The first image: a test-set index or an image file.")
    var a: String

    @Argument(help: "The second image: a test-set index or an image file.")
    var b: String

    @Option(help: "Invert image files: automatic (when the background is light), always or never.")
    var invert: ImageFile.Inversion = .automatic

    @Option(help: "Fit image files of another shape than the model's input: pad (letterboxed, margins of the image's border colour) or crop (its centre).")
    var fit: ImageFit = .pad

    @Option(help: "Write the strip as a picture (.png, .jpg, .pgm or .ppm) instead of opening the explorer (works without a terminal).")
    var out: String?

    @Option(help: "Frames in the strip, ends included (2 to 100).")
    var steps: Int = 9

    @Flag(help: "Start on the spherical path (slerp) instead of a straight line.")
    var spherical = false

    @OptionGroup var options: ExploreOptions

    func run() throws {
        if steps < 2 || steps > 100 { throw UsageError("--steps must be from 2 to 100, got \(steps)") }
        if let out {
            try writeStrip(to: out)
            return
        }
        let request = InterpolationRequest(a: InterpolationSource(a), b: InterpolationSource(b), invert: invert,
                                           fit: fit, steps: steps, path: path)
        try options.openExplorer(firstScreen: 1, interpolation: request)
    }

    private var path: LatentPath { spherical ? .spherical : .linear }

    /// Decoded frames along the path in the first row, the pixel cross-fade in the second.
    private func writeStrip(to out: String) throws {
        try OutputPath.checkPicture(out)
        let loaded = try options.source.loadModel()
        let model = loaded.model
        let shape = model.configuration.architecture.image
        try OutputPath.checkPictureSize(count: 2 * steps, of: shape, columns: steps, scale: 2, options: "--steps")
        let test = try options.source.loadTestData(for: loaded)
        let ends = try (InterpolationSource(a).end(model: model, test: test, invert: invert, fit: fit),
                        InterpolationSource(b).end(model: model, test: test, invert: invert, fit: fit))
        let decoded = path.points(count: steps, from: ends.0.latent, to: ends.1.latent).map { model.decode(point: $0) }
        let faded = CrossFade(from: ends.0.image, to: ends.1.image).frames(count: steps)
        let picture = Picture.tiled(decoded + faded, shape: shape, columns: steps, scale: 2)
        try picture.write(to: out)
        Console.line("wrote \(out): \(steps) frames from \(ends.0.name) to \(ends.1.name) (\(path.rawValue)), cross-fade below")
    }
}

/// What the interpolate view opens on: the two ends, how to read image files, the frame count
/// and the path.
struct InterpolationRequest {
    var a: InterpolationSource
    var b: InterpolationSource
    var invert: ImageFile.Inversion
    var fit: ImageFit
    var steps: Int
    var path: LatentPath
}

/// Where one end of an interpolation comes from.
enum InterpolationSource {
    case index(Int)
    case file(String)

    /// An existing file wins over a number, so that a file named "3" can be used.
    init(_ text: String) {
        if let index = Int(text), !FileManager.default.fileExists(atPath: text) {
            self = .index(index)
        } else {
            self = .file(text)
        }
    }

    /// The image and its posterior mean: a test image by index, or a file fitted to the model.
    func end(model: VAE, test: Dataset, invert: ImageFile.Inversion, fit: ImageFit) throws -> InterpolationEnd {
        switch self {
        case .index(let index):
            guard (0..<test.count).contains(index) else {
                throw UsageError("image \(index) is not in \(test.name): use 0 to \(test.count - 1)")
            }
            return InterpolationEnd(name: test.caption(of: index), image: Array(test.image(index)), model: model)
        case .file(let path):
            return try InterpolationEnd(file: path, model: model, fit: fit, inversion: invert)
        }
    }
}
