import Foundation

/// The size of one input image.
public struct ImageShape: Equatable, Hashable, Codable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int = 1, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// 28 x 28 grayscale, the MNIST family's size.
    public static let mnist = ImageShape(channels: 1, height: 28, width: 28)

    /// Values per image: channels * height * width.
    public var pixelCount: Int { channels * height * width }

    public var description: String {
        channels == 1 ? "\(height)x\(width)" : "\(channels)x\(height)x\(width)"
    }
}

/// The layer structure of an encoder/decoder pair, independent of its weights.
///
/// Named configurations match `torch_vae.py` layer for layer:
/// - `mlp20`: 784-400 ReLU -> 20 mean, 20 logvar; 20-400 ReLU -> 784 logits
/// - `mlp2`: the same with a 2-D latent
/// - `conv2`: conv 32 3x3 s2 p1, conv 64 3x3 s2 p1, dense 16 (ReLU each) -> 2, 2;
///   dense 7*7*64 ReLU, convT 64 3x3 s2, convT 32 3x3 s2 (ReLU each), convT 1 3x3 s1 -> logits
/// - `rgb32`: 3x32x32, conv 32, 64, 128 (3x3 s2 p1 ReLU), dense 256 ReLU -> 32, 32;
///   dense 4*4*128 ReLU, convT 64, 32, 32 (3x3 s2, ReLU), convT 3 3x3 s1 -> logits
/// - `rgb64`: 3x64x64, conv 32, 64, 128, 256, dense 256 -> 64, 64; dense 4*4*256 ReLU,
///   convT 128, 64, 32, 32, convT 3
public struct Architecture: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// How the encoder and decoder are built.
    public enum Body: Equatable, Hashable, Sendable {
        /// Fully connected: hidden layer widths, mirrored in the decoder.
        case mlp(hidden: [Int])
        /// Convolutional: 3x3 stride-2 convolutions with these filter counts, then a dense
        /// layer of `dense` units; the decoder mirrors it with transposed convolutions.
        case conv(filters: [Int], dense: Int)
    }

    public var body: Body
    /// Dimensions of the latent space.
    public var latent: Int
    /// Input image size.
    public var image: ImageShape

    public init(body: Body, latent: Int, image: ImageShape = .mnist) {
        self.body = body
        self.latent = latent
        self.image = image
    }

    /// 784-400-20, the PyTorch example's VAE.
    public static let mlp20 = Architecture(body: .mlp(hidden: [400]), latent: 20)
    /// 784-400-2: a 2-D latent space to walk.
    public static let mlp2 = Architecture(body: .mlp(hidden: [400]), latent: 2)
    /// The Keras example's convolutional VAE with a 2-D latent space.
    public static let conv2 = Architecture(body: .conv(filters: [32, 64], dense: 16), latent: 2)

    /// Colour 3x32x32: convolutions of 32, 64 and 128 filters, dense 256, latent 32.
    public static let rgb32 = Architecture(body: .conv(filters: [32, 64, 128], dense: 256), latent: 32,
                                           image: ImageShape(channels: 3, height: 32, width: 32))
    /// Colour 3x64x64: convolutions of 32, 64, 128 and 256 filters, dense 256, latent 64.
    public static let rgb64 = Architecture(body: .conv(filters: [32, 64, 128, 256], dense: 256), latent: 64,
                                           image: ImageShape(channels: 3, height: 64, width: 64))

    /// The named configurations, by name.
    public static let named: [(name: String, architecture: Architecture)] = [
        ("mlp20", .mlp20), ("mlp2", .mlp2), ("conv2", .conv2), ("rgb32", .rgb32), ("rgb64", .rgb64),
    ]

    /// The configuration's name: a preset's name, or its general form
    /// `mlp(hidden:[400],latent:20)` / `conv(filters:[32,64],dense:16,latent:2)`,
    /// with `,image:CxHxW` when the image is not 28x28 grayscale.
    public var name: String {
        if let preset = Architecture.named.first(where: { $0.architecture == self }) { return preset.name }
        let imagePart = image == .mnist ? "" : ",image:\(image.channels)x\(image.height)x\(image.width)"
        switch body {
        case .mlp(let hidden):
            return "mlp(hidden:[\(hidden.map(String.init).joined(separator: ","))],latent:\(latent)\(imagePart))"
        case .conv(let filters, let dense):
            return "conv(filters:[\(filters.map(String.init).joined(separator: ","))],dense:\(dense),latent:\(latent)\(imagePart))"
        }
    }

    public var description: String { name }

    /// Largest latent size.
    public static let maximumLatent = 4096
    /// Most hidden layers of an MLP, and most convolutions of a conv model.
    public static let maximumDepth = 8
    /// Widest layer: hidden units, filters of one convolution, or dense units.
    public static let maximumWidth = 65536
    /// Longest image side, in pixels: 512. The project's models take 28 to 64 pixels; 512
    /// leaves room for larger pictures while keeping one 4-channel image at 1 << 20 values.
    public static let maximumImageSide = 512
    /// Most channels per pixel (1 gray, 3 colour, 4 with alpha).
    public static let maximumChannels = 4
    /// Most parameters a model may have, counted for a VAE: 1 << 27 = 134,217,728, 512 MiB of
    /// Float32 weights, and 2 GiB while training (weights, gradients and Adam's two moments).
    /// The largest model here (mlp20) has 652,824; the colour conv models a few million.
    public static let maximumParameters = 1 << 27
    /// Most values one layer may output for one image: 1 << 21 = 2,097,152 (8 MiB of Float32).
    /// A batch holds this per image for every layer, and a convolution's scratch is at most 9
    /// times its output, so this is what bounds the memory of a forward and backward pass. A
    /// 4 x 512 x 512 image is 1 << 20 values; conv2's largest layer outputs 32 x 14 x 14.
    public static let maximumActivation = 1 << 21

    /// Checks that the layers fit together and stay within the bounds; returns the problem in
    /// words, or nil.
    ///
    /// Bounds, each layer: latent size 1...4096; image channels 1...4 and sides 1...512 pixels;
    /// at most 8 hidden layers (MLP) or convolutions (conv), each 1...65536 wide, and a dense
    /// layer of 1...65536 units; conv image sides divisible by 2^(number of convolutions).
    /// Bounds, the whole model (measured on `LayerPlan`'s sizes, with overflow checks, before
    /// anything is built): at most `maximumParameters` (2^27) parameters and at most
    /// `maximumActivation` (2^21) values output by any one layer for one image.
    /// Within the per-layer bounds every size computed from a plan fits an `Int` (a weight
    /// matrix has fewer than 2^49 elements); within the totals a model costs at most about
    /// 2 GiB to train plus 8 MiB per image per layer. Architectures come from files and
    /// command lines: this check is what keeps a bad one from trapping or asking for terabytes.
    public var problem: String? {
        if let problem = layerProblem { return problem }
        let plan = LayerPlan(withinLayerBounds: ModelConfiguration(architecture: self, kind: .vae))
        let limit = Architecture.maximumParameters
        guard let parameters = plan.parameterCount, parameters <= limit else {
            let count = plan.parameterCount.map { "\($0)" } ?? "more than \(Int.max)"
            return "the model would have \(count) parameters, more than the \(limit) (2^27) latent builds; use fewer or narrower layers"
        }
        let largest = plan.largestOutput
        guard largest.values <= Architecture.maximumActivation else {
            return "layer \(largest.layer) would output \(largest.values) values per image, more than the \(Architecture.maximumActivation) (2^21) latent allows; use fewer filters or a smaller image"
        }
        return nil
    }

    /// The per-layer half of `problem`: sizes, depth and fit, which keep every size of a
    /// `LayerPlan` within an `Int`; nil when they hold, whatever the totals.
    var layerProblem: String? {
        guard (1...Architecture.maximumLatent).contains(latent) else {
            return "latent size must be 1 to \(Architecture.maximumLatent), got \(latent)"
        }
        guard (1...Architecture.maximumChannels).contains(image.channels) else {
            return "images must have 1 to \(Architecture.maximumChannels) channels, got \(image.channels)"
        }
        guard image.height >= 1, image.width >= 1,
              image.height <= Architecture.maximumImageSide, image.width <= Architecture.maximumImageSide else {
            return "image sides must be 1 to \(Architecture.maximumImageSide) pixels, got \(image.height)x\(image.width)"
        }
        func widthProblem(_ what: String, _ sizes: [Int]) -> String? {
            guard sizes.count <= Architecture.maximumDepth else {
                return "at most \(Architecture.maximumDepth) \(what), got \(sizes.count)"
            }
            if let bad = sizes.first(where: { !(1...Architecture.maximumWidth).contains($0) }) {
                return "\(what) must be 1 to \(Architecture.maximumWidth) wide, got \(bad)"
            }
            return nil
        }
        switch body {
        case .mlp(let hidden):
            if let problem = widthProblem("hidden layers", hidden) { return problem }
        case .conv(let filters, let dense):
            if filters.isEmpty { return "a conv model needs at least one convolution: filters:[...] is empty" }
            if let problem = widthProblem("convolutions", filters) { return problem }
            guard (1...Architecture.maximumWidth).contains(dense) else {
                return "the dense layer must be 1 to \(Architecture.maximumWidth) wide, got \(dense)"
            }
            let factor = 1 << filters.count  // at most 2^8: filters.count is bounded above
            if image.height % factor != 0 || image.width % factor != 0 {
                return "\(filters.count) stride-2 convolutions need image sides divisible by \(factor), got \(image)"
            }
        }
        return nil
    }
}

extension Architecture {
    /// Errors parsing an architecture name.
    public struct ParseError: Error, LocalizedError {
        public let text: String
        public let reason: String
        public var errorDescription: String? { "architecture '\(CheckpointError.excerpt(text))': \(reason)" }
    }

    /// Parses a preset name (`mlp20`, `mlp2`, `conv2`) or the general forms of `name`.
    public init(parsing text: String) throws {
        let compact = text.filter { !$0.isWhitespace }
        if let preset = Architecture.named.first(where: { $0.name == compact }) {
            self = preset.architecture
            return
        }
        let presets = Architecture.named.map(\.name).joined(separator: ", ")
        func fail(_ reason: String) -> ParseError { ParseError(text: text, reason: reason) }
        guard let open = compact.firstIndex(of: "("), compact.hasSuffix(")") else {
            throw fail("unknown name; use one of \(presets), mlp(hidden:[...],latent:N) or conv(filters:[...],dense:N,latent:N)")
        }
        let kind = String(compact[..<open])
        let inside = compact[compact.index(after: open)..<compact.index(before: compact.endIndex)]
        // Split "key:value" pairs on commas outside brackets.
        var fields: [String: String] = [:]
        var depth = 0
        var current = ""
        for ch in inside + "," {
            if ch == "[" { depth += 1 }
            if ch == "]" { depth -= 1 }
            if ch == "," && depth == 0 {
                let parts = current.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw fail("expected key:value, got '\(CheckpointError.excerpt(current, limit: 40))'") }
                guard fields.updateValue(parts[1], forKey: parts[0]) == nil else {
                    throw fail("'\(CheckpointError.excerpt(parts[0], limit: 40))' is given twice")
                }
                current = ""
            } else {
                current.append(ch)
            }
        }
        func integer(_ key: String) throws -> Int {
            guard let value = fields.removeValue(forKey: key) else { throw fail("missing \(key):") }
            guard let number = Int(value) else { throw fail("\(key) must be an integer, got '\(CheckpointError.excerpt(value, limit: 40))'") }
            return number
        }
        func list(_ key: String) throws -> [Int] {
            guard let value = fields.removeValue(forKey: key) else { throw fail("missing \(key):[...]") }
            guard value.hasPrefix("["), value.hasSuffix("]") else { throw fail("\(key) must be a list like [400]") }
            let items = value.dropFirst().dropLast().split(separator: ",")
            return try items.map { item in
                guard let number = Int(item) else { throw fail("\(key) holds '\(CheckpointError.excerpt(item, limit: 40))', not an integer") }
                return number
            }
        }
        var image = ImageShape.mnist
        if let value = fields.removeValue(forKey: "image") {
            let sides = value.split(separator: "x").compactMap { Int($0) }
            switch sides.count {
            case 2: image = ImageShape(channels: 1, height: sides[0], width: sides[1])
            case 3: image = ImageShape(channels: sides[0], height: sides[1], width: sides[2])
            default: throw fail("image must be HxW or CxHxW, got '\(CheckpointError.excerpt(value, limit: 40))'")
            }
        }
        let latent = try integer("latent")
        switch kind {
        case "mlp":
            self.init(body: .mlp(hidden: try list("hidden")), latent: latent, image: image)
        case "conv":
            self.init(body: .conv(filters: try list("filters"), dense: try integer("dense")), latent: latent, image: image)
        default:
            throw fail("unknown kind '\(CheckpointError.excerpt(kind, limit: 40))'; use mlp(...) or conv(...)")
        }
        if let extra = fields.keys.sorted().first { throw fail("unknown field '\(CheckpointError.excerpt(extra, limit: 40))'") }
        if let problem = self.problem { throw fail(problem) }
    }
}

/// Whether the model is a variational autoencoder or the plain autoencoder kept for contrast.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
    /// Encoder gives a Gaussian q(z|x); z is sampled; the loss has a KL term.
    case vae
    /// Encoder gives one point z; no sampling, no KL.
    case ae
}

/// The decoder's likelihood, which fixes the reconstruction term.
public enum Reconstruction: String, Codable, Sendable, CaseIterable {
    /// Bernoulli on the logits: binary cross-entropy, in nats.
    case bce
    /// Gaussian on sigmoid(logits): the sum of squared errors, i.e. the negative log-likelihood
    /// of a Gaussian with variance 1/2 without its constant (D/2) log π.
    case mse
}

/// Everything that fixes a model's parameters and loss, but not its weights.
public struct ModelConfiguration: Equatable, Sendable {
    public var architecture: Architecture
    public var kind: ModelKind
    public var reconstruction: Reconstruction

    public init(architecture: Architecture, kind: ModelKind = .vae, reconstruction: Reconstruction = .bce) {
        self.architecture = architecture
        self.kind = kind
        self.reconstruction = reconstruction
    }
}
