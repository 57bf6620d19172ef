import ArgumentParser
import Foundation
import VAECore

/// `latent encode`: the posterior of every test image, as CSV.
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write each test image's posterior mean and log-variance as CSV.",
        discussion: """
            Columns: index, label, mean_0 .. mean_{L-1}, logvar_0 .. logvar_{L-1}.

            Example:
              latent encode --out latents.csv
              latent encode --model mlp20.safetensors --data fashion-mnist --out mlp20.csv
            """)

    @Option(help: "CSV file to write (.csv); its folder must exist.")
    var out: String

    @OptionGroup var options: ModelOptions

    func run() throws {
        try OutputPath.checkTable(out)
        let loaded = try options.loadModel()
        let test = try options.loadTestData(for: loaded)
        let encoding = loaded.model.encode(test)
        let latent = loaded.model.latentSize
        var text = "index,label," + (0..<latent).map { "mean_\($0)" }.joined(separator: ",") + ","
            + (0..<latent).map { "logvar_\($0)" }.joined(separator: ",") + "\n"
        for i in 0..<test.count {
            let label = test.labels.map { String($0[i]) } ?? ""
            let means = (0..<latent).map { String(encoding.zMean[i * latent + $0]) }
            let logVars = (0..<latent).map { String(encoding.zLogVar[i * latent + $0]) }
            text += "\(i),\(label),\(means.joined(separator: ",")),\(logVars.joined(separator: ","))\n"
        }
        try AtomicFile.write(Array(text.utf8), to: out)
        Console.line("wrote \(out): \(test.count) images, \(latent) latent dimensions")
    }
}
