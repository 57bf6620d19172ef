import ArgumentParser
import Foundation
import VAECore

/// `latent eval`: the test set's scores.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a model on its test set: negative ELBO, its terms, and the importance-weighted bound.",
        discussion: """
            The negative ELBO samples z once per image, as PyTorch's example does; --samples K \
            adds the importance-weighted bound (Burda et al.), tighter as K grows; on a \
            terminal its progress and ETA show on stderr while it runs.

            Example:
              latent eval
              latent eval --model mlp20.safetensors --samples 100 --json
            """)

    @Option(help: "Importance samples per image for the IWAE bound (0 to 5000; 0 skips it).")
    var samples: Int = 0

    @Option(help: "Seed for the sampling.")
    var seed: UInt64 = 1

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var options: ModelOptions

    func run() throws {
        let most = TrainingSettings.maximumImportanceSamples
        if samples < 0 || samples > most { throw UsageError("--samples must be from 0 to \(most), got \(samples)") }
        let loaded = try options.loadModel()
        if samples > 0 && loaded.model.configuration.kind == .ae {
            throw UsageError("--samples needs a VAE: a plain autoencoder has no posterior to sample")
        }
        let test = try options.loadTestData(for: loaded)
        let progress = samples > 0 ? ProgressLine("scoring k=\(samples)", total: test.count) : nil
        let result = Evaluation.run(model: loaded.model, on: test, importanceSamples: samples, seed: seed,
                                    progress: progress.map { line in { line.update($0) } })
        progress?.finish()
        if json {
            var fields: [(String, Any)] = [("images", result.count), ("negative_elbo", result.negativeELBO),
                                           ("reconstruction", result.reconstruction), ("kl", result.kl)]
            if let bound = result.importanceWeightedBound { fields += [("iw_bound", bound), ("iw_samples", samples)] }
            Console.line(JSONLine.encode(fields))
        } else {
            var line = String(format: "%@: negative ELBO %.2f (recon %.2f + KL %.2f) nats per image over ",
                              test.name, result.negativeELBO, result.reconstruction, result.kl)
                + Console.count(result.count, "image")
            if let bound = result.importanceWeightedBound { line += String(format: "; IW bound (k=%d) %.2f", samples, bound) }
            Console.line(line)
        }
    }
}
