import ArgumentParser
import Foundation
import VAECore

/// `latent score`: anomaly ranking by negative ELBO.
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the test images the model finds strangest: the highest negative ELBO.",
        discussion: """
            Example:
              latent score --top 10
              latent score --model mlp20.safetensors --top 50
            """)

    @Option(help: "How many images to list.")
    var top: Int = 10

    @Option(help: "Seed for the sampling.")
    var seed: UInt64 = 1

    @OptionGroup var options: ModelOptions

    func run() throws {
        if top < 1 { throw UsageError("--top must be at least 1, got \(top)") }
        let loaded = try options.loadModel()
        let test = try options.loadTestData(for: loaded)
        var rng = RandomGenerator(seed: seed)
        let scores = loaded.model.scores(of: test, rng: &rng)
        let ranked = scores.negativeELBO.enumerated().sorted { $0.element > $1.element }.prefix(top)
        // A plain autoencoder has no KL term: its score is the reconstruction error alone.
        let scoreName = loaded.model.configuration.kind == .ae ? "recon error" : "negative ELBO"
        Console.line("rank  index  label         \(scoreName)")
        for (rank, entry) in ranked.enumerated() {
            let label = test.className(of: entry.offset) ?? "-"
            let padded = label.padding(toLength: max(12, label.count), withPad: " ", startingAt: 0)
            Console.line(String(format: "%4d  %5d  ", rank + 1, entry.offset) + padded
                         + String(format: "  %*.2f", scoreName.count, Double(entry.element)))
        }
    }
}
