import Foundation

/// A trained model on disk: one `.safetensors` file with PyTorch-style tensor names and layouts,
/// and the model's configuration, training settings and loss history in `__metadata__`.
///
/// Metadata keys (string values, JSON where structured):
/// `latent.architecture` (a name such as `conv2` or `mlp(hidden:[400],latent:20)`),
/// `latent.image` (`1x28x28`), `latent.kind` (`vae`/`ae`), `latent.reconstruction` (`bce`/`mse`),
/// `latent.training` (TrainingSettings), `latent.history` ([EpochRecord]), `latent.data`,
/// `latent.fit` (`crop`/`pad`, how the data's images were fitted), `latent.version`. A file without them (saved from PyTorch) is recognised by its tensor names
/// and shapes, the module layout of torch_vae.py.
public struct Checkpoint: Sendable {
    public var configuration: ModelConfiguration
    /// How the model was trained, when known.
    public var training: TrainingSettings?
    /// One record per epoch trained.
    public var history: [EpochRecord]
    /// The data spec it was trained on, when known.
    public var data: String?
    /// How that data's images were fitted to the model (an image folder's `--fit`), when known.
    public var fit: ImageFit?
    /// True when the file carried no latent metadata and its configuration was recognised from
    /// its tensor names and shapes (a file saved from PyTorch).
    public private(set) var isInferred = false

    public init(configuration: ModelConfiguration, training: TrainingSettings? = nil,
                history: [EpochRecord] = [], data: String? = nil, fit: ImageFit? = nil) {
        self.configuration = configuration
        self.training = training
        self.history = history
        self.data = data
        self.fit = fit
    }

    /// Version of the metadata layout written by this code.
    public static let formatVersion = "1"

    /// Writes `model` and this description to `path` atomically.
    ///
    /// Refuses, with a `CheckpointError` naming the tensor, a model whose weights hold NaN or
    /// an infinity; the file at `path`, if any, is then left as it was. Non-finite numbers in
    /// the history and settings are written as the strings "nan", "inf" and "-inf" (see
    /// `metadataEncoder()`).
    public func save(_ model: VAE, to path: String) throws {
        precondition(model.configuration == configuration, "checkpoint description does not match the model")
        if let name = model.firstNonFiniteParameter {
            throw CheckpointError(file: path, "not saved: tensor '\(name)' holds NaN or infinite values")
        }
        let encoder = Checkpoint.metadataEncoder()
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
        if let fit { metadata["latent.fit"] = fit.rawValue }
        try Safetensors.write(model.parameters.map { ($0.name, $0.value) }, metadata: metadata, to: path)
    }

    /// The JSON encoder of the structured metadata (`latent.training`, `latent.history`):
    /// keys sorted, and NaN, +inf and -inf, which JSON has no numbers for, written as the
    /// strings "nan", "inf" and "-inf" (a diverged epoch's scores are NaN, and must not stop
    /// the checkpoint being saved).
    public static func metadataEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// The decoder matching `metadataEncoder()`: reads plain numbers, and the strings "nan",
    /// "inf" and "-inf" where a floating-point number is expected.
    public static func metadataDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Reads a checkpoint and builds its model.
    ///
    /// Nothing is built until the file has been checked: the header by `Safetensors.parse`,
    /// the metadata (architecture within `Architecture.problem`'s bounds, image, kind,
    /// settings, history), then every tensor's name and shape against
    /// `VAE.parameterShapes(for:)` and its values for NaN and infinities. So the model, whose
    /// weights are those of the file, costs no more memory than the file's data (twice, with
    /// the gradients), whatever the header says. Any problem is a `CheckpointError` of one line.
    public static func load(path: String) throws -> (model: VAE, checkpoint: Checkpoint) {
        let file = try Safetensors.read(path: path)
        func fail(_ problem: String) -> CheckpointError { CheckpointError(file: path, problem) }
        let checkpoint: Checkpoint
        if let name = file.metadata["latent.architecture"] {
            checkpoint = try described(by: file.metadata, path: path, architectureName: name)
        } else {
            guard let inferred = inferConfiguration(from: file.tensors) else {
                let names = file.order.prefix(4).map { CheckpointError.excerpt($0, limit: 40) }.joined(separator: ", ")
                throw fail("not a latent checkpoint and not a known PyTorch layout (tensors: \(names)\(file.order.count > 4 ? ", ..." : "")); expected the module names of torch_vae.py (fc1, fc21, ... or c1, c2, fc, mu, lv, ...)")
            }
            var found = Checkpoint(configuration: inferred)
            found.isInferred = true
            checkpoint = found
        }
        let configuration = checkpoint.configuration
        let modelName = "\(configuration.architecture.name) (\(configuration.kind.rawValue))"
        let expected = VAE.parameterShapes(for: configuration)
        for parameter in expected {
            guard let tensor = file.tensors[parameter.name] else {
                throw fail("tensor '\(parameter.name)' is missing; \(modelName) needs it")
            }
            guard tensor.shape == parameter.shape else {
                throw fail("tensor '\(parameter.name)' has shape \(tensor.shape.shapeText()), \(configuration.architecture.name) needs \(parameter.shape.shapeText()): the file is for another architecture")
            }
            guard tensor.storage.isAllFinite else {
                throw fail("tensor '\(parameter.name)' holds NaN or infinite values")
            }
        }
        let expectedNames = Set(expected.map(\.name))
        if let extra = file.order.first(where: { !expectedNames.contains($0) }) {
            throw fail("unexpected tensor '\(CheckpointError.excerpt(extra))': the file is not a \(configuration.architecture.name) \(configuration.kind.rawValue)")
        }
        // Every shape matches: building the model now allocates what the file's data holds.
        let model = VAE(configuration: configuration, seed: 0)
        for parameter in model.parameters {
            guard let tensor = file.tensors[parameter.name], tensor.shape == parameter.value.shape else {
                preconditionFailure("VAE.parameterShapes(for:) disagrees with the built model at \(parameter.name)")
            }
            parameter.value = tensor
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
            let sides = image.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
            guard sides.count == 3, let channels = sides[0], let height = sides[1], let width = sides[2] else {
                throw fail("bad metadata: latent.image '\(CheckpointError.excerpt(image, limit: 40))' is not CxHxW")
            }
            architecture.image = ImageShape(channels: channels, height: height, width: width)
            if let problem = architecture.problem { throw fail("bad metadata: latent.image \(channels)x\(height)x\(width): \(problem)") }
        }
        guard let kind = ModelKind(rawValue: metadata["latent.kind"] ?? "vae") else {
            throw fail("bad metadata: latent.kind '\(CheckpointError.excerpt(metadata["latent.kind"]!, limit: 40))' is not vae or ae")
        }
        guard let reconstruction = Reconstruction(rawValue: metadata["latent.reconstruction"] ?? "bce") else {
            throw fail("bad metadata: latent.reconstruction '\(CheckpointError.excerpt(metadata["latent.reconstruction"]!, limit: 40))' is not bce or mse")
        }
        var training: TrainingSettings?
        if let text = metadata["latent.training"] {
            guard let decoded = decodeJSON(TrainingSettings.self, from: text) else {
                throw fail("bad metadata: latent.training is not valid JSON settings")
            }
            if let problem = decoded.problem { throw fail("bad metadata: latent.training: \(problem)") }
            training = decoded
        }
        var history: [EpochRecord] = []
        if let text = metadata["latent.history"] {
            guard let decoded = decodeJSON([EpochRecord].self, from: text) else {
                throw fail("bad metadata: latent.history is not a valid JSON list of epochs")
            }
            if let problem = EpochRecord.problem(inHistory: decoded) { throw fail("bad metadata: latent.history: \(problem)") }
            history = decoded
        }
        var fit: ImageFit?
        if let text = metadata["latent.fit"] {
            guard let value = ImageFit(rawValue: text) else {
                throw fail("bad metadata: latent.fit '\(CheckpointError.excerpt(text, limit: 40))' is not crop or pad")
            }
            fit = value
        }
        return Checkpoint(configuration: ModelConfiguration(architecture: architecture, kind: kind, reconstruction: reconstruction),
                          training: training, history: history, data: metadata["latent.data"], fit: fit)
    }

    /// Decodes structured metadata, or nil; nesting deeper than a header may is refused first.
    private static func decodeJSON<T: Decodable>(_ type: T.Type, from text: String) -> T? {
        let bytes = Array(text.utf8)
        guard Safetensors.nestingDepth(of: bytes[...], limit: Safetensors.maximumNesting) <= Safetensors.maximumNesting else {
            return nil
        }
        return try? metadataDecoder().decode(type, from: Data(bytes))
    }

    /// Recognises the module layout of torch_vae.py from tensor names and shapes: MLPs
    /// (fc1, [fc1_2, ...], fc21, fc22, fc3, ..., fc4) and conv models (c1, c2, ..., fc, mu, lv, d, t1, ...).
    /// Images are taken as square, one channel for MLPs. Returns nil for anything else,
    /// including sizes beyond `Architecture.problem`'s bounds, which are checked before any
    /// arithmetic on them (a zero filter count, a non-square or huge image).
    static func inferConfiguration(from tensors: [String: Tensor]) -> ModelConfiguration? {
        let kind: ModelKind = tensors["fc22.weight"] != nil || tensors["lv.weight"] != nil ? .vae : .ae
        func matrix(_ name: String, rank: Int) -> [Int]? {
            guard let shape = tensors[name]?.shape, shape.count == rank else { return nil }
            return shape
        }
        // Collects base_1, base_2, ... (as named by `name(index)`) while they exist; stops one
        // past the deepest allowed architecture so that a file of many layers stays cheap.
        func sizes(first: Int, rank: Int, name: (Int) -> String) -> [Int] {
            var found = [first]
            var index = 2
            while found.count <= Architecture.maximumDepth, let next = matrix(name(index), rank: rank) {
                found.append(next[0])
                index += 1
            }
            return found
        }
        func accepted(_ architecture: Architecture) -> ModelConfiguration? {
            architecture.problem == nil ? ModelConfiguration(architecture: architecture, kind: kind) : nil
        }
        if let first = matrix("fc1.weight", rank: 2), let mean = matrix("fc21.weight", rank: 2) {
            let hidden = sizes(first: first[0], rank: 2) { "fc1_\($0).weight" }
            guard let side = squareSide(of: first[1]) else { return nil }
            return accepted(Architecture(body: .mlp(hidden: hidden), latent: mean[0],
                                         image: ImageShape(channels: 1, height: side, width: side)))
        }
        if let first = matrix("c1.weight", rank: 4), let dense = matrix("fc.weight", rank: 2),
           let mean = matrix("mu.weight", rank: 2) {
            let filters = sizes(first: first[0], rank: 4) { "c\($0).weight" }
            guard filters.count <= Architecture.maximumDepth,
                  filters.allSatisfy({ (1...Architecture.maximumWidth).contains($0) }) else { return nil }
            let last = filters[filters.count - 1]
            // fc's input is last x side x side at the bottom, whose side is the image's / 2^filters.
            guard dense[1] % last == 0, let bottomSide = squareSide(of: dense[1] / last),
                  bottomSide <= Architecture.maximumImageSide >> filters.count else { return nil }
            let side = bottomSide << filters.count
            return accepted(Architecture(body: .conv(filters: filters, dense: dense[0]), latent: mean[0],
                                         image: ImageShape(channels: first[1], height: side, width: side)))
        }
        return nil
    }

    /// The side of a square image of `area` pixels, when it is one no larger than the largest
    /// image an architecture takes; else nil.
    private static func squareSide(of area: Int) -> Int? {
        let largest = Architecture.maximumImageSide
        guard area >= 1, area <= largest * largest else { return nil }
        let side = Int(Double(area).squareRoot().rounded())
        return side * side == area ? side : nil
    }
}
