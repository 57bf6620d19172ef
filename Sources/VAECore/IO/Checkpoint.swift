import Foundation

/// A trained model on disk: one `.safetensors` file with PyTorch-style tensor names and layouts,
/// and the model's configuration, training settings and loss history in `__metadata__`.
///
/// Metadata keys (string values, JSON where structured):
/// `latent.architecture` (a name such as `conv2` or `mlp(hidden:[400],latent:20)`),
/// `latent.image` (`1x28x28`), `latent.kind` (`vae`/`ae`), `latent.reconstruction` (`bce`/`mse`),
/// `latent.training` (TrainingSettings), `latent.history` ([EpochRecord]), `latent.data`,
/// `latent.version`. A file without them (saved from PyTorch) is recognised by its tensor names
/// and shapes, the module layout of torch_vae.py.
public struct Checkpoint: Sendable {
    public var configuration: ModelConfiguration
    /// How the model was trained, when known.
    public var training: TrainingSettings?
    /// One record per epoch trained.
    public var history: [EpochRecord]
    /// The data spec it was trained on, when known.
    public var data: String?
    /// True when the file carried no latent metadata and its configuration was recognised from
    /// its tensor names and shapes (a file saved from PyTorch).
    public private(set) var isInferred = false

    public init(configuration: ModelConfiguration, training: TrainingSettings? = nil,
                history: [EpochRecord] = [], data: String? = nil) {
        self.configuration = configuration
        self.training = training
        self.history = history
        self.data = data
    }

    /// Version of the metadata layout written by this code.
    public static let formatVersion = "1"

    /// Writes `model` and this description to `path` atomically.
    public func save(_ model: VAE, to path: String) throws {
        precondition(model.configuration == configuration, "checkpoint description does not match the model")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        let image = configuration.architecture.image
        var metadata = [
            "format": "pt",
            "latent.version": Checkpoint.formatVersion,
            "latent.architecture": configuration.architecture.name,
            "latent.image": "\(image.channels)x\(image.height)x\(image.width)",
            "latent.kind": configuration.kind.rawValue,
            "latent.reconstruction": configuration.reconstruction.rawValue,
            "latent.history": try json(history),
        ]
        if let training { metadata["latent.training"] = try json(training) }
        if let data { metadata["latent.data"] = data }
        try Safetensors.write(model.parameters.map { ($0.name, $0.value) }, metadata: metadata, to: path)
    }

    /// Reads a checkpoint and builds its model, checking every tensor against the architecture.
    public static func load(path: String) throws -> (model: VAE, checkpoint: Checkpoint) {
        let file = try Safetensors.read(path: path)
        func fail(_ problem: String) -> CheckpointError { CheckpointError(file: path, problem) }
        let checkpoint: Checkpoint
        if let name = file.metadata["latent.architecture"] {
            checkpoint = try described(by: file.metadata, path: path, architectureName: name)
        } else {
            guard let inferred = inferConfiguration(from: file.tensors) else {
                let names = file.order.prefix(4).joined(separator: ", ")
                throw fail("not a latent checkpoint and not a known PyTorch layout (tensors: \(names)\(file.order.count > 4 ? ", ..." : "")); expected the module names of torch_vae.py (fc1, fc21, ... or c1, c2, fc, mu, lv, ...)")
            }
            var found = Checkpoint(configuration: inferred)
            found.isInferred = true
            checkpoint = found
        }
        let model = VAE(configuration: checkpoint.configuration, seed: 0)
        let architectureName = checkpoint.configuration.architecture.name
        let expected = Set(model.parameters.map(\.name))
        for parameter in model.parameters {
            guard let tensor = file.tensors[parameter.name] else {
                throw fail("tensor '\(parameter.name)' is missing; \(architectureName) (\(checkpoint.configuration.kind.rawValue)) needs it")
            }
            guard tensor.shape == parameter.value.shape else {
                throw fail("tensor '\(parameter.name)' has shape \(tensor.shape), \(architectureName) needs \(parameter.value.shape): the file is for another architecture")
            }
            guard tensor.storage.allSatisfy(\.isFinite) else {
                throw fail("tensor '\(parameter.name)' holds NaN or infinite values")
            }
            parameter.value = tensor
        }
        if let extra = file.order.first(where: { !expected.contains($0) }) {
            throw fail("unexpected tensor '\(extra)': the file is not a \(architectureName) \(checkpoint.configuration.kind.rawValue)")
        }
        return (model, checkpoint)
    }

    private static func described(by metadata: [String: String], path: String, architectureName: String) throws -> Checkpoint {
        func fail(_ problem: String) -> CheckpointError { CheckpointError(file: path, problem) }
        var architecture: Architecture
        do {
            architecture = try Architecture(parsing: architectureName)
        } catch {
            throw fail("bad metadata: \(error.localizedDescription)")
        }
        if let image = metadata["latent.image"] {
            let sides = image.split(separator: "x").compactMap { Int($0) }
            guard sides.count == 3, sides.allSatisfy({ $0 > 0 }) else { throw fail("bad metadata: latent.image '\(image)'") }
            architecture.image = ImageShape(channels: sides[0], height: sides[1], width: sides[2])
            if let problem = architecture.problem { throw fail("bad metadata: \(problem)") }
        }
        guard let kind = ModelKind(rawValue: metadata["latent.kind"] ?? "vae") else {
            throw fail("bad metadata: latent.kind '\(metadata["latent.kind"]!)' is not vae or ae")
        }
        guard let reconstruction = Reconstruction(rawValue: metadata["latent.reconstruction"] ?? "bce") else {
            throw fail("bad metadata: latent.reconstruction '\(metadata["latent.reconstruction"]!)' is not bce or mse")
        }
        let decoder = JSONDecoder()
        var training: TrainingSettings?
        if let text = metadata["latent.training"] {
            guard let decoded = try? decoder.decode(TrainingSettings.self, from: Data(text.utf8)) else {
                throw fail("bad metadata: latent.training is not valid JSON settings")
            }
            training = decoded
        }
        var history: [EpochRecord] = []
        if let text = metadata["latent.history"] {
            guard let decoded = try? decoder.decode([EpochRecord].self, from: Data(text.utf8)) else {
                throw fail("bad metadata: latent.history is not a valid JSON list of epochs")
            }
            history = decoded
        }
        return Checkpoint(configuration: ModelConfiguration(architecture: architecture, kind: kind, reconstruction: reconstruction),
                          training: training, history: history, data: metadata["latent.data"])
    }

    /// Recognises the module layout of torch_vae.py from tensor names and shapes: MLPs
    /// (fc1, [fc1_2, ...], fc21, fc22, fc3, ..., fc4) and conv models (c1, c2, ..., fc, mu, lv, d, t1, ...).
    /// Images are taken as square, one channel for MLPs.
    static func inferConfiguration(from tensors: [String: Tensor]) -> ModelConfiguration? {
        let kind: ModelKind = tensors["fc22.weight"] != nil || tensors["lv.weight"] != nil ? .vae : .ae
        if let first = tensors["fc1.weight"], first.shape.count == 2, let mean = tensors["fc21.weight"], mean.shape.count == 2 {
            var hidden = [first.shape[0]]
            var index = 2
            while let next = tensors["fc1_\(index).weight"], next.shape.count == 2 {
                hidden.append(next.shape[0])
                index += 1
            }
            let pixels = first.shape[1]
            let side = Int(Double(pixels).squareRoot().rounded())
            guard side * side == pixels else { return nil }
            let architecture = Architecture(body: .mlp(hidden: hidden), latent: mean.shape[0],
                                            image: ImageShape(channels: 1, height: side, width: side))
            return architecture.problem == nil ? ModelConfiguration(architecture: architecture, kind: kind) : nil
        }
        if let first = tensors["c1.weight"], first.shape.count == 4, let dense = tensors["fc.weight"], dense.shape.count == 2,
           let mean = tensors["mu.weight"], mean.shape.count == 2 {
            var filters = [first.shape[0]]
            var index = 2
            while let next = tensors["c\(index).weight"], next.shape.count == 4 {
                filters.append(next.shape[0])
                index += 1
            }
            let bottom = dense.shape[1] / filters.last!
            let bottomSide = Int(Double(bottom).squareRoot().rounded())
            guard bottomSide * bottomSide * filters.last! == dense.shape[1] else { return nil }
            let side = bottomSide << filters.count
            let architecture = Architecture(body: .conv(filters: filters, dense: dense.shape[0]), latent: mean.shape[0],
                                            image: ImageShape(channels: first.shape[1], height: side, width: side))
            return architecture.problem == nil ? ModelConfiguration(architecture: architecture, kind: kind) : nil
        }
        return nil
    }
}
