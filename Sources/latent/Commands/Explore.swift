import ArgumentParser
import Foundation
import TerminalUI
import VAECore

/// `latent explore`: walk a model's 2-D latent space with the arrow keys.
struct Explore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walk a model's latent space with the arrow keys (the default command).",
        discussion: """
            Opens the terminal explorer: a map of the encoded data coloured by label, a cursor \
            moved by the arrow keys or hjkl, and the image decoded at the cursor. Needs an \
            interactive terminal; without one, sample, reconstruct, interpolate --out, \
            encode, eval and score write pictures and text.

            Example:
              latent explore --model assets/models/conv2-fashion-mnist.safetensors
              latent explore --model mlp2.safetensors --data synthetic --glyphs ascii
            """)

    /// Where the bundled model lives, relative to the working directory or the executable.
    static let bundledModel = "assets/models/conv2-fashion-mnist.safetensors"

    @OptionGroup var options: ExploreOptions

    func run() throws {
        try options.openExplorer(firstScreen: 0, interpolation: nil)
    }

    /// The bundled model, looked for under the working directory and beside the executable.
    static func findBundledModel() throws -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidates = [
            FileManager.default.currentDirectoryPath + "/" + bundledModel,
            executable.deletingLastPathComponent().appendingPathComponent("../../" + bundledModel).standardized.path,
        ]
        guard let found = candidates.first(where: FileManager.default.fileExists(atPath:)) else {
            throw UsageError("no bundled model at \(bundledModel); train one with `latent train --data fashion-mnist --arch conv2 --epochs 10 --out \(bundledModel)` or pass --model")
        }
        return found
    }
}
