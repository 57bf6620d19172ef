import ArgumentParser
import Foundation
import VAECore

/// `latent info`: the machine (version, BLAS, threads, CPU), or what a checkpoint holds.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the BLAS library, kernels, threads and CPU in use, or describe a checkpoint.",
        discussion: """
            With --model, describes the checkpoint instead: its architecture and kind, how it \
            was trained and its last scores; for a file saved from PyTorch, the layout that was \
            recognised from its tensor names.

            Example:
              latent info
              latent info --json --threads 2
              latent info --model assets/models/conv2-fashion-mnist.safetensors
            """)

    @Option(help: "Describe this checkpoint instead of the machine.")
    var model: String?

    @OptionGroup var compute: ComputeOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        if let model {
            let (vae, checkpoint) = try Checkpoint.load(path: model)
            let description = CheckpointDescription(path: model, model: vae, checkpoint: checkpoint)
            print(json ? try Self.jsonText(description) : description.text)
            return
        }
        try compute.apply()
        let info = MachineInfo.current()
        if json {
            struct Report: Encodable { let version: String; let machine: MachineInfo }
            print(try Self.jsonText(Report(version: Latent.version, machine: info)))
            return
        }
        print("""
            latent \(Latent.version)
            cpu:       \(info.cpuModel), \(info.cpuCount) logical CPUs
            features:  \(info.cpuFeatures.joined(separator: " "))
            blas:      \(info.blas.library), kernels \(info.blas.coreName) (\(info.blas.coreTypeSource))
            threads:   \(info.blas.threads)
            config:    \(info.blas.config)
            elementwise kernels: \(info.elementwiseKernels)
            """)
    }

    /// One JSON object on one line, keys sorted and in snake case as in the other commands' JSON.
    /// NaN and infinities (a diverged epoch's scores) are written as the strings "nan", "inf"
    /// and "-inf", as the checkpoint itself stores them.
    static func jsonText<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// What `latent info --model` reports about a checkpoint.
struct CheckpointDescription: Encodable {
    let file: String
    let bytes: Int
    let architecture: String
    let image: String
    let latent: Int
    let kind: String
    let reconstruction: String
    let parameters: Int
    let tensors: Int
    /// "latent" when the file carries latent's metadata, "pytorch" when its layout was inferred.
    let metadata: String
    let data: String?
    let training: TrainingSettings?
    let epochs: Int
    let lastEpoch: EpochRecord?

    init(path: String, model: VAE, checkpoint: Checkpoint) {
        let configuration = checkpoint.configuration
        file = path
        bytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        architecture = configuration.architecture.name
        image = configuration.architecture.image.description
        latent = configuration.architecture.latent
        kind = configuration.kind.rawValue
        reconstruction = configuration.reconstruction.rawValue
        parameters = model.parameters.reduce(0) { $0 + $1.value.count }
        tensors = model.parameters.count
        metadata = checkpoint.isInferred ? "pytorch" : "latent"
        data = checkpoint.data
        training = checkpoint.training
        epochs = checkpoint.history.count
        lastEpoch = checkpoint.history.last
    }

    var text: String {
        let kindName = kind == "vae" ? "VAE" : "plain autoencoder"
        var lines = [
            "file:        \(file) (\(String(format: "%.1f", Double(bytes) / 1e6)) MB)",
            "model:       \(architecture), a \(kindName) with \(reconstruction) reconstruction, \(latent) latent dimensions, \(image) images",
            "parameters:  \(parameters.formatted()) in \(tensors) tensors",
        ]
        if metadata == "pytorch" {
            lines.append("metadata:    none; the layout was recognised from the tensor names (a file saved from PyTorch)")
        }
        if let training {
            lines.append("training:    \(data?.escapingControlCharacters ?? "unknown data"), batch \(training.batchSize), beta \(String(format: "%g", training.beta)), learning rate \(String(format: "%g", training.adam.learningRate)), seed \(training.seed)")
        } else if let data {
            lines.append("training:    \(data.escapingControlCharacters)")
        }
        if let last = lastEpoch {
            lines.append("history:     \(Console.count(epochs, "epoch"))" + String(format: "; last: train %.2f, test negative ELBO %.2f (recon %.2f + KL %.2f)",
                                last.train.total, last.test.negativeELBO, last.test.reconstruction, last.test.kl))
        } else {
            lines.append("history:     none")
        }
        return lines.joined(separator: "\n")
    }
}
