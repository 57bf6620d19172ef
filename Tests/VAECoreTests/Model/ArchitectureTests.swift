import XCTest
@testable import VAECore

final class ArchitectureTests: XCTestCase {
    /// Architectures of every shape the bounds allow, small enough to build quickly.
    private let samples: [Architecture] = [
        .mlp20, .mlp2, .conv2,
        Architecture(body: .mlp(hidden: []), latent: 3),
        Architecture(body: .mlp(hidden: [5, 7, 3]), latent: 4, image: ImageShape(channels: 3, height: 6, width: 10)),
        Architecture(body: .conv(filters: [4], dense: 6), latent: 2, image: ImageShape(channels: 1, height: 8, width: 6)),
        Architecture(body: .conv(filters: [3, 5, 2], dense: 9), latent: 5, image: ImageShape(channels: 3, height: 16, width: 24)),
        Architecture(body: .conv(filters: [2, 2, 2, 2, 2, 2, 2, 2], dense: 3), latent: 1, image: ImageShape(channels: 4, height: 256, width: 256)),
    ]

    func testParameterShapes_EqualTheBuiltModels() {
        for architecture in samples {
            XCTAssertNil(architecture.problem, architecture.name)
            for kind in ModelKind.allCases {
                let configuration = ModelConfiguration(architecture: architecture, kind: kind)
                let model = VAE(configuration: configuration, seed: 3)
                let built = model.parameters.map { LayerPlan.ParameterShape(name: $0.name, shape: $0.value.shape) }
                XCTAssertEqual(VAE.parameterShapes(for: configuration), built, "\(architecture.name) \(kind)")
            }
        }
    }

    /// Building from the plan draws the weights in the order the layers were always built
    /// (encoder, mean head, log-variance head, decoder), so a seed still makes the same model.
    func testPlan_KeepsTheWeightsASeedDraws() {
        let model = VAE(configuration: ModelConfiguration(architecture: .conv2), seed: 1)
        var rng = RandomGenerator(seed: 1)
        let layers: [Layer] = [
            Conv2D(name: "c1", inputChannels: 1, outputChannels: 32, kernelSize: 3, stride: 2, padding: 1, height: 28, width: 28, using: &rng),
            Conv2D(name: "c2", inputChannels: 32, outputChannels: 64, kernelSize: 3, stride: 2, padding: 1, height: 14, width: 14, using: &rng),
            Linear(name: "fc", inputSize: 64 * 7 * 7, outputSize: 16, using: &rng),
            Linear(name: "mu", inputSize: 16, outputSize: 2, using: &rng),
            Linear(name: "lv", inputSize: 16, outputSize: 2, using: &rng),
            Linear(name: "d", inputSize: 2, outputSize: 64 * 7 * 7, using: &rng),
            ConvTranspose2D(name: "t1", inputChannels: 64, outputChannels: 64, kernelSize: 3, stride: 2, padding: 1,
                            outputPadding: 1, height: 7, width: 7, using: &rng),
            ConvTranspose2D(name: "t2", inputChannels: 64, outputChannels: 32, kernelSize: 3, stride: 2, padding: 1,
                            outputPadding: 1, height: 14, width: 14, using: &rng),
            ConvTranspose2D(name: "t3", inputChannels: 32, outputChannels: 1, kernelSize: 3, stride: 1, padding: 1,
                            outputPadding: 0, height: 28, width: 28, using: &rng),
        ]
        let byHand = layers.flatMap(\.parameters)
        XCTAssertEqual(model.parameters.map(\.name), byHand.map(\.name))
        XCTAssertEqual(model.parameters.map(\.value), byHand.map(\.value))
    }

    func testBounds_AreStatedInWords() {
        func problem(_ text: String) -> String? {
            do {
                _ = try Architecture(parsing: text)
                return nil
            } catch {
                return "\(error)"
            }
        }
        let cases: [(String, String)] = [
            ("mlp(hidden:[8],latent:0)", "latent size must be 1 to 4096, got 0"),
            ("mlp(hidden:[8],latent:4097)", "latent size must be 1 to 4096, got 4097"),
            ("mlp(hidden:[0],latent:2)", "hidden layers must be 1 to 65536 wide, got 0"),
            ("mlp(hidden:[65537],latent:2)", "hidden layers must be 1 to 65536 wide, got 65537"),
            ("mlp(hidden:[1,1,1,1,1,1,1,1,1],latent:2)", "at most 8 hidden layers, got 9"),
            ("mlp(hidden:[8],latent:2,image:513x4)", "image sides must be 1 to 512 pixels, got 513x4"),
            ("mlp(hidden:[8],latent:2,image:0x4x4)", "images must have 1 to 4 channels, got 0"),
            ("conv(filters:[],dense:4,latent:2)", "needs at least one convolution"),
            ("conv(filters:[1,1,1,1,1,1,1,1,1],dense:4,latent:2,image:512x512)", "at most 8 convolutions, got 9"),
            ("conv(filters:[4],dense:0,latent:2)", "the dense layer must be 1 to 65536 wide, got 0"),
            ("conv(filters:[4,4,4],dense:4,latent:2,image:12x12)", "need image sides divisible by 8"),
            ("mlp(hidden:[8],latent:99999999999999999999)", "latent must be an integer"),
        ]
        for (text, fragment) in cases {
            let message = problem(text)
            XCTAssertTrue(message?.contains(fragment) ?? false, "\(text): \(message ?? "accepted")")
        }
        XCTAssertNil(problem("mlp(hidden:[8],latent:4096,image:4x512x512)"), "the largest image and latent are accepted")
    }

    private func problem(_ text: String) throws -> String? {
        do {
            _ = try Architecture(parsing: text)
            return nil
        } catch let error as Architecture.ParseError {
            return error.reason
        }
    }

    /// Each layer within its bounds, the whole far beyond memory: these aborted on
    /// allocations of 154 GB and 17 TB.
    func testTotals_RefuseModelsTooLargeToBuild() throws {
        XCTAssertEqual(try problem("conv(filters:[65536,65536],dense:16,latent:2)"),
                       "the model would have 116026572885 parameters, more than the 134217728 (2^27) latent builds; use fewer or narrower layers")
        // D = 4 x 512 x 512 = 2^20: fc1 and fc4 are 65536 x D each.
        let d = 1 << 20, h = 65536, l = 20
        let count = (h * d + h) + 2 * (l * h + l) + (h * l + h) + (d * h + d)
        XCTAssertEqual(try problem("mlp(hidden:[65536],latent:20,image:4x512x512)"),
                       "the model would have \(count) parameters, more than the 134217728 (2^27) latent builds; use fewer or narrower layers")
        XCTAssertEqual(try problem("mlp(hidden:[65536],latent:20,image:4x4096x4096)"), "image sides must be 1 to 512 pixels, got 4096x4096")
        // About 30,000 parameters, but enc.0 and dec.7 output 40 x 256 x 256 and 40 x 512 x 512 per image.
        XCTAssertEqual(try problem("conv(filters:[40,1,1,1,1,1,1,1],dense:1,latent:1,image:1x512x512)"),
                       "layer dec.7 would output 10485760 values per image, more than the 2097152 (2^21) latent allows; use fewer filters or a smaller image")
    }

    /// The totals' edges, one unit either side: 2 x 262144 x 255 weights and some biases fit
    /// 2^27, 2 x 262144 x 256 do not; dec.0 outputs 8 x 512 x 512 = 2^21, or 9 x 512 x 512.
    func testTotals_AcceptUpToTheirBounds() throws {
        XCTAssertNil(try problem("mlp(hidden:[255],latent:1,image:1x512x512)"))
        XCTAssertTrue(try problem("mlp(hidden:[256],latent:1,image:1x512x512)")?.hasPrefix("the model would have 134481154 parameters") ?? false)
        XCTAssertNil(try problem("conv(filters:[8],dense:1,latent:1,image:4x512x512)"))
        XCTAssertTrue(try problem("conv(filters:[9],dense:1,latent:1,image:4x512x512)")?.hasPrefix("layer dec.0 would output 2359296 values") ?? false)
    }

    /// The presets and the coming colour models stay well inside the totals.
    func testProjectModels_AreValid() throws {
        for text in ["mlp20", "mlp2", "conv2", "conv(filters:[32,64,128],dense:256,latent:32,image:3x32x32)",
                     "conv(filters:[32,64,128,256],dense:256,latent:64,image:3x64x64)"] {
            XCTAssertNil(try problem(text), text)
        }
        XCTAssertEqual(LayerPlan(ModelConfiguration(architecture: .mlp20)).parameterCount, 652_824)
    }

    /// The plan's counts are those of the built model: its parameters, and each layer's output.
    func testPlanTotals_EqualTheBuiltModels() {
        for architecture in samples {
            let configuration = ModelConfiguration(architecture: architecture)
            let plan = LayerPlan(configuration)
            let model = VAE(configuration: configuration, seed: 1)
            XCTAssertEqual(plan.parameterCount, model.parameters.reduce(0) { $0 + $1.value.count }, architecture.name)
            var built: [[Int]] = []
            for network in [model.encoder, model.decoder] {
                var shape = [1] + network.sampleShape
                for layer in network.layers {
                    shape = layer.outputShape(for: shape)
                    if !(layer is ReLU) { built.append(Array(shape.dropFirst())) }
                }
            }
            let planned = (plan.encoder + plan.decoder).compactMap(\.outputShape).map(\.shape)
            XCTAssertEqual(planned, built, architecture.name)
            let largest = max(built.map { $0.reduce(1, *) }.max()!, architecture.latent)
            XCTAssertEqual(plan.largestOutput.values, largest, architecture.name)
        }
    }

    /// The state_dict of torch_vae.py's colour models, name by name and shape by shape, as its
    /// `Conv(latent, 3, size, filters, 256)` builds them (enc.K, fc, mu, lv, d, dec.K).
    func testColourModels_AreTorchVAEsLayerForLayer() {
        func torchConv(latent: Int, size: Int, filters: [Int]) -> [String] {
            var names: [String] = []
            var channels = 3
            for (k, f) in filters.enumerated() {
                names += ["enc.\(k).weight [\(f), \(channels), 3, 3]", "enc.\(k).bias [\(f)]"]
                channels = f
            }
            let side = size >> filters.count, flat = filters.last! * side * side
            names += ["fc.weight [256, \(flat)]", "fc.bias [256]", "mu.weight [\(latent), 256]", "mu.bias [\(latent)]",
                      "lv.weight [\(latent), 256]", "lv.bias [\(latent)]", "d.weight [\(flat), \(latent)]", "d.bias [\(flat)]"]
            let outs = Array(filters.reversed().dropFirst()) + [filters[0]]
            for (k, f) in (outs + [3]).enumerated() {
                names += ["dec.\(k).weight [\(channels), \(f), 3, 3]", "dec.\(k).bias [\(f)]"]
                channels = f
            }
            return names
        }
        let expected = [("rgb32", torchConv(latent: 32, size: 32, filters: [32, 64, 128])),
                        ("rgb64", torchConv(latent: 64, size: 64, filters: [32, 64, 128, 256]))]
        for (name, names) in expected {
            let architecture = try! XCTUnwrap(Architecture.named.first { $0.name == name }?.architecture)
            XCTAssertNil(architecture.problem)
            let shapes = VAE.parameterShapes(for: ModelConfiguration(architecture: architecture)).map(\.description)
            XCTAssertEqual(shapes.sorted(), names.sorted(), name)
            // The image comes back at its size: the decoder's last layer outputs 3 x size x size.
            let model = VAE(configuration: ModelConfiguration(architecture: architecture), seed: 1)
            XCTAssertEqual(model.decode(point: [Float](repeating: 0, count: architecture.latent)).count, architecture.image.pixelCount)
        }
        XCTAssertEqual(Architecture.rgb32.image, ImageShape(channels: 3, height: 32, width: 32))
        XCTAssertEqual(try Architecture(parsing: "rgb64"), .rgb64)
        // conv2 keeps the Keras example's names and decoder.
        XCTAssertEqual(VAE.parameterShapes(for: ModelConfiguration(architecture: .conv2)).map(\.name).filter { $0.hasPrefix("t") },
                       ["t1.weight", "t1.bias", "t2.weight", "t2.bias", "t3.weight", "t3.bias"])
    }
}

