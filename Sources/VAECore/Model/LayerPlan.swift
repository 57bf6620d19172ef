/// The layers of a model configuration as sizes alone: what `VAE.init` builds, layer by layer,
/// and what a checkpoint's tensors are checked against before anything is allocated.
///
/// `VAE.init` instantiates exactly these steps, in this order (encoder, heads, decoder), so the
/// parameter names and shapes listed here are those of the built model; a test holds the two
/// equal. Making a plan allocates a few small arrays, never the weights.
/// Names follow `torch_vae.py` (MLP: fc1, fc1_2, ..., fc21, fc22, fc3, fc3_2, ..., fc4;
/// conv: c1, c2, fc, mu, lv, d, t1, t2, t3 for gray models of two convolutions, else enc.K, fc,
/// mu, lv, d, dec.K, as torch_vae.py names them).
public struct LayerPlan: Equatable, Sendable {
    /// One layer and the sizes that fix its parameters and its input.
    public enum Step: Equatable, Sendable {
        /// `Linear`: weight [outputSize, inputSize], bias [outputSize].
        case linear(name: String, inputSize: Int, outputSize: Int)
        /// `Conv2D` with a 3x3 kernel, stride 2, padding 1 over `inputChannels` x `height` x `width`
        /// inputs: weight [outputChannels, inputChannels, 3, 3], bias [outputChannels].
        case convolution(name: String, inputChannels: Int, outputChannels: Int, height: Int, width: Int)
        /// `ConvTranspose2D` with a 3x3 kernel and padding 1 over `inputChannels` x `height` x
        /// `width` inputs: weight [inputChannels, outputChannels, 3, 3], bias [outputChannels].
        case transposedConvolution(name: String, inputChannels: Int, outputChannels: Int, stride: Int,
                                   outputPadding: Int, height: Int, width: Int)
        /// `ReLU`: no parameters.
        case relu
    }

    /// A parameter's checkpoint name and shape, without its values.
    public struct ParameterShape: Equatable, Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public let shape: [Int]

        public init(name: String, shape: [Int]) {
            self.name = name
            self.shape = shape
        }

        public var description: String { "\(name) \(shape)" }
    }

    /// Side of every convolution kernel.
    public static let kernelSize = 3

    /// Encoder layers, input first; its output has `features` values per image.
    public let encoder: [Step]
    /// Values per image the encoder hands to the heads (F).
    public let features: Int
    /// Names of the heads: F -> L linear layers giving zMean and (for a VAE) zLogVar.
    public let meanHeadName: String
    /// nil for a plain autoencoder.
    public let logVarHeadName: String?
    /// Latent size L, the heads' output.
    public let latent: Int
    /// Decoder layers, latent first; its output has one value per pixel.
    public let decoder: [Step]

    /// The plan of a valid configuration (`architecture.problem == nil`, checked by a
    /// precondition). Within the architecture's bounds no size here can overflow.
    public init(_ configuration: ModelConfiguration) {
        let arch = configuration.architecture
        precondition(arch.problem == nil, "invalid architecture: \(arch.problem ?? "")")
        self.init(withinLayerBounds: configuration)
    }

    /// The plan of a configuration whose every layer is within bounds (`layerProblem == nil`,
    /// checked by a precondition) but whose totals may not be: what `Architecture.problem`
    /// measures them on. Its sizes fit an `Int`; their sums and products may not.
    init(withinLayerBounds configuration: ModelConfiguration) {
        let arch = configuration.architecture
        precondition(arch.layerProblem == nil, "invalid architecture: \(arch.layerProblem ?? "")")
        let image = arch.image
        var encoder: [Step] = []
        var decoder: [Step] = []
        let features: Int
        let names: (mean: String, logVar: String)
        switch arch.body {
        case .mlp(let hidden):
            var width = image.pixelCount
            for (i, size) in hidden.enumerated() {
                encoder += [.linear(name: i == 0 ? "fc1" : "fc1_\(i + 1)", inputSize: width, outputSize: size), .relu]
                width = size
            }
            features = width
            names = ("fc21", "fc22")
            width = arch.latent
            for (i, size) in hidden.reversed().enumerated() {
                decoder += [.linear(name: i == 0 ? "fc3" : "fc3_\(i + 1)", inputSize: width, outputSize: size), .relu]
                width = size
            }
            decoder.append(.linear(name: "fc4", inputSize: width, outputSize: image.pixelCount))
        case .conv(let filters, let dense):
            // torch_vae.py's family. A gray model with two convolutions keeps the Keras
            // example's names (c1, c2, t1, t2, t3) and, at 28x28 with 32 and 64 filters, its
            // decoder (64 -> 64 -> 32 -> 1); every other model names its layers enc.K and dec.K,
            // and its transposed convolutions go to reversed(filters)[1...] + [filters[0]]
            // channels before the last, stride-1 one to the image's channels.
            let keras = filters.count == 2 && image.channels == 1
            let kerasDecoder = keras && image.height == 28 && image.width == 28 && filters == [32, 64]
            // Each 3x3 stride-2 padding-1 convolution halves the sides, which the architecture
            // keeps divisible by 2^filters.count.
            var (channels, height, width) = (image.channels, image.height, image.width)
            for (i, count) in filters.enumerated() {
                encoder += [.convolution(name: keras ? "c\(i + 1)" : "enc.\(i)", inputChannels: channels, outputChannels: count,
                                         height: height, width: width), .relu]
                (channels, height, width) = (count, (height - 1) / 2 + 1, (width - 1) / 2 + 1)
            }
            let flat = channels * height * width
            encoder += [.linear(name: "fc", inputSize: flat, outputSize: dense), .relu]
            features = dense
            names = ("mu", "lv")
            decoder += [.linear(name: "d", inputSize: arch.latent, outputSize: flat), .relu]
            let outputs = kerasDecoder ? [64, 32] : Array(filters.reversed().dropFirst()) + [filters[0]]
            for (i, count) in outputs.enumerated() {
                decoder += [.transposedConvolution(name: keras ? "t\(i + 1)" : "dec.\(i)", inputChannels: channels,
                                                   outputChannels: count, stride: 2, outputPadding: 1, height: height, width: width),
                            .relu]
                (channels, height, width) = (count, height * 2, width * 2)
            }
            decoder.append(.transposedConvolution(name: keras ? "t\(filters.count + 1)" : "dec.\(filters.count)", inputChannels: channels,
                                                  outputChannels: image.channels, stride: 1, outputPadding: 0,
                                                  height: height, width: width))
        }
        self.encoder = encoder
        self.features = features
        meanHeadName = names.mean
        logVarHeadName = configuration.kind == .vae ? names.logVar : nil
        latent = arch.latent
        self.decoder = decoder
    }

    /// Every parameter's name and shape, in the built model's order (PyTorch's state_dict
    /// order): encoder, mean head, log-variance head, decoder.
    public var parameterShapes: [ParameterShape] {
        steps.flatMap(\.parameterShapes)
    }

    /// Every step in the built model's order: encoder, heads, decoder.
    private var steps: [Step] {
        let heads = [meanHeadName, logVarHeadName].compactMap { $0 }
            .map { Step.linear(name: $0, inputSize: features, outputSize: latent) }
        return encoder + heads + decoder
    }

    /// The number of parameters (weights and biases of every layer), or nil when it would
    /// overflow an `Int`.
    public var parameterCount: Int? {
        var total = 0
        for parameter in parameterShapes {
            guard let count = LayerPlan.product(parameter.shape) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(count)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// The layer that outputs the most values for one image, and how many (`Int.max` when
    /// the count overflows); ReLUs, which output what they take, are left out.
    public var largestOutput: (layer: String, values: Int) {
        var largest = (layer: "", values: 0)
        for step in steps {
            guard let (name, shape) = step.outputShape else { continue }
            let values = LayerPlan.product(shape) ?? Int.max
            if values > largest.values { largest = (name, values) }
        }
        return largest
    }

    /// The product of `factors`, or nil when it overflows an `Int`.
    static func product(_ factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            let (product, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = product
        }
        return result
    }
}

extension LayerPlan.Step {
    /// The step's parameters (weight, then bias), named `<layer>.weight` and `<layer>.bias`.
    public var parameterShapes: [LayerPlan.ParameterShape] {
        let k = LayerPlan.kernelSize
        switch self {
        case .linear(let name, let inputSize, let outputSize):
            return [.init(name: "\(name).weight", shape: [outputSize, inputSize]), .init(name: "\(name).bias", shape: [outputSize])]
        case .convolution(let name, let inputChannels, let outputChannels, _, _):
            return [.init(name: "\(name).weight", shape: [outputChannels, inputChannels, k, k]),
                    .init(name: "\(name).bias", shape: [outputChannels])]
        case .transposedConvolution(let name, let inputChannels, let outputChannels, _, _, _, _):
            return [.init(name: "\(name).weight", shape: [inputChannels, outputChannels, k, k]),
                    .init(name: "\(name).bias", shape: [outputChannels])]
        case .relu:
            return []
        }
    }

    /// The layer's name and the shape of what it outputs for one image ([units] or
    /// [channels, height, width]); nil for a ReLU, whose output is its input.
    public var outputShape: (layer: String, shape: [Int])? {
        switch self {
        case .linear(let name, _, let outputSize):
            return (name, [outputSize])
        case .convolution(let name, _, let outputChannels, let height, let width):
            // 3x3, stride 2, padding 1: ceil(side / 2).
            return (name, [outputChannels, (height - 1) / 2 + 1, (width - 1) / 2 + 1])
        case .transposedConvolution(let name, _, let outputChannels, let stride, let outputPadding, let height, let width):
            // (side - 1) stride - 2 padding + kernel + output padding, with padding 1.
            let k = LayerPlan.kernelSize
            return (name, [outputChannels, (height - 1) * stride - 2 + k + outputPadding,
                           (width - 1) * stride - 2 + k + outputPadding])
        case .relu:
            return nil
        }
    }

    /// The layer this step describes, its weights drawn from `rng` as PyTorch initialises them.
    func makeLayer(using rng: inout RandomGenerator) -> Layer {
        let k = LayerPlan.kernelSize
        switch self {
        case .linear(let name, let inputSize, let outputSize):
            return Linear(name: name, inputSize: inputSize, outputSize: outputSize, using: &rng)
        case .convolution(let name, let inputChannels, let outputChannels, let height, let width):
            return Conv2D(name: name, inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: k,
                          stride: 2, padding: 1, height: height, width: width, using: &rng)
        case .transposedConvolution(let name, let inputChannels, let outputChannels, let stride, let outputPadding,
                                    let height, let width):
            return ConvTranspose2D(name: name, inputChannels: inputChannels, outputChannels: outputChannels,
                                   kernelSize: k, stride: stride, padding: 1, outputPadding: outputPadding,
                                   height: height, width: width, using: &rng)
        case .relu:
            return ReLU()
        }
    }
}
