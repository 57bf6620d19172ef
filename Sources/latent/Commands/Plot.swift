import ArgumentParser
import Foundation
import VAECore

/// `latent plot`: a checkpoint's loss curves as a PNG.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Save the loss curves in a checkpoint's history as a PNG (or PGM/PPM).",
        discussion: """
            Per epoch: the training objective, the test negative ELBO and the training \
            reconstruction term above, the KL term on the training and test sets below (a \
            plain autoencoder: its reconstruction on both sets), with axes, ticks and a legend.

            Example:
              latent plot --out curves.png
              latent plot --model mlp20.safetensors --out mlp20-curves.png
            """)

    @Option(help: "Checkpoint (default: the bundled Fashion-MNIST conv2).")
    var model: String?

    @Option(help: "Picture to write: .png, .jpg, .pgm or .ppm; its folder must exist.")
    var out: String

    func run() throws {
        try OutputPath.checkPicture(out)
        let path = try model ?? Explore.findBundledModel()
        let (_, checkpoint) = try Checkpoint.load(path: path)
        guard !checkpoint.history.isEmpty else {
            throw UsageError("\(path): no training history to plot (a checkpoint saved elsewhere carries none)")
        }
        let configuration = checkpoint.configuration
        let picture = LossCurvePlot.render(checkpoint.history, kind: configuration.kind,
                                           reconstruction: configuration.reconstruction)
        try ImageFile.write(picture, to: out)
        Console.line("wrote \(out): \(Console.count(checkpoint.history.count, "epoch")), \(picture.width)x\(picture.height) pixels")
    }
}
