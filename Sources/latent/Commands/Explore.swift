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

    /// The bundled model, looked for under the working directory and above the executable.
    static func findBundledModel() throws -> String {
        // The running binary itself, wherever the shell found it.
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // The binary sits a few folders down the project: .build/<triple>/release/latent.
        let ancestors = sequence(first: executable.deletingLastPathComponent()) { $0.deletingLastPathComponent() }
            .prefix(4).map { $0.appendingPathComponent(bundledModel).path }
        let candidates = [FileManager.default.currentDirectoryPath + "/" + bundledModel] + ancestors
        guard let found = candidates.first(where: FileManager.default.fileExists(atPath:)) else {
            throw UsageError("no bundled model: \(bundledModel) is neither under this folder nor under the project of this latent binary; run it from the project folder or pass --model FILE")
        }
        return found
    }
}
