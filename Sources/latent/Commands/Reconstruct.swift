import ArgumentParser
import Foundation
import VAECore

/// `latent reconstruct`: test images above their reconstructions, as a PNG.
struct Reconstruct: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Save test images above their reconstructions (through the posterior mean) as a PNG (or PGM/PPM).",
        discussion: """
            Example:
              latent reconstruct --out reconstructions.png
              latent reconstruct --count 16 --first 100 --out r.png
            """)

    @OptionGroup var output: PictureOptions

    @Option(help: "How many test images (1 to 1000).")
    var count: Int = 8

    @Option(help: "Index of the first test image.")
    var first: Int = 0

    @OptionGroup var options: ModelOptions

    func run() throws {
        if count < 1 || count > 1000 { throw UsageError("--count must be from 1 to 1000, got \(count)") }
        try output.check()
        let loaded = try options.loadModel()
        try OutputPath.checkPictureSize(count: 2 * count, of: loaded.model.configuration.architecture.image, columns: count,
                                        scale: output.scale, options: "--count or --scale")
        let test = try options.loadTestData(for: loaded)
        guard first >= 0, first + count <= test.count else {
            throw UsageError("--first \(first) --count \(count) runs past \(test.name), which has \(test.count) images")
        }
        let shape = test.shape
        let originals = (first..<(first + count)).map { Array(test.image($0)) }
        let rebuilt = loaded.model.reconstruct(Tensor(shape: [count, shape.pixelCount], storage: originals.flatMap { $0 }))
        let picture = Picture.tiled(originals + (0..<count).map { rebuilt.row($0) }, shape: shape, columns: count, scale: output.scale)
        try picture.write(to: output.out)
        Console.line("wrote \(output.out): images \(first)-\(first + count - 1) above their reconstructions, \(picture.width)x\(picture.height) pixels")
    }
}
