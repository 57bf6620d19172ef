import XCTest
@testable import VAECore

/// Both algorithms against plain loops and finite differences, on the same geometries.
final class ConvolutionTests: XCTestCase {
    let algorithms: [ConvolutionAlgorithm] = [.im2col, .phaseGEMM]

    /// Geometries the models use, and odd ones: stride 1 and 2 and 3, padding 0 to 2, odd sizes.
    let conv2DCases: [(c: Int, o: Int, h: Int, w: Int, k: Int, s: Int, p: Int)] = [
        (1, 4, 8, 8, 3, 2, 1), (3, 5, 7, 9, 3, 1, 1), (2, 3, 9, 7, 3, 2, 0), (2, 2, 10, 11, 5, 3, 2),
        (4, 6, 6, 6, 1, 1, 0), (32, 64, 14, 14, 3, 2, 1),
    ]

    func testConv2D_ForwardMatchesPlainLoops() {
        for (i, g) in conv2DCases.enumerated() { for algorithm in algorithms {
            var rng = RandomGenerator(seed: UInt64(i))
            let layer = Conv2D(name: "c", inputChannels: g.c, outputChannels: g.o, kernelSize: g.k, stride: g.s,
                               padding: g.p, height: g.h, width: g.w, algorithm: algorithm, using: &rng)
            let x = randomTensor([3, g.c, g.h, g.w], seed: UInt64(10 + i))
            var y = Tensor(zeros: layer.outputShape(for: x.shape))
            var scratch = Tensor(zeros: [layer.scratchCount(batchSize: 3)])
            layer.forward(x, into: &y, scratch: &scratch)
            let expected = referenceConv2D(x, weight: layer.weight.value, bias: layer.bias.value, stride: g.s, padding: g.p)
            assertClose(y, expected, rtol: 1e-4, atol: 1e-4, "case \(i) \(algorithm)")
        } }
    }

    func testConv2D_BackwardMatchesFiniteDifferences() {
        for (i, g) in conv2DCases.dropLast().enumerated() { for algorithm in algorithms {
            var rng = RandomGenerator(seed: UInt64(i))
            let layer = Conv2D(name: "c", inputChannels: g.c, outputChannels: g.o, kernelSize: g.k, stride: g.s,
                               padding: g.p, height: g.h, width: g.w, algorithm: algorithm, using: &rng)
            checkLayerGradients(layer, inputShape: [2, g.c, g.h, g.w], seed: UInt64(20 + i))
        } }
    }

    let transposeCases: [(i: Int, o: Int, h: Int, w: Int, k: Int, s: Int, p: Int, op: Int)] = [
        (4, 3, 4, 4, 3, 2, 1, 1), (3, 1, 7, 7, 3, 1, 1, 0), (2, 3, 3, 5, 3, 2, 0, 0), (2, 2, 4, 3, 5, 3, 2, 2),
        (64, 32, 14, 14, 3, 2, 1, 1),
    ]

    func testConvTranspose2D_ForwardMatchesPlainLoops() {
        for (n, g) in transposeCases.enumerated() { for algorithm in algorithms {
            var rng = RandomGenerator(seed: UInt64(n))
            let layer = ConvTranspose2D(name: "t", inputChannels: g.i, outputChannels: g.o, kernelSize: g.k,
                                        stride: g.s, padding: g.p, outputPadding: g.op, height: g.h, width: g.w,
                                        algorithm: algorithm, using: &rng)
            let x = randomTensor([2, g.i, g.h, g.w], seed: UInt64(30 + n))
            var y = Tensor(zeros: layer.outputShape(for: x.shape))
            var scratch = Tensor(zeros: [layer.scratchCount(batchSize: 2)])
            layer.forward(x, into: &y, scratch: &scratch)
            let expected = referenceConvTranspose2D(x, weight: layer.weight.value, bias: layer.bias.value,
                                                    stride: g.s, padding: g.p, outputPadding: g.op)
            assertClose(y, expected, rtol: 1e-4, atol: 1e-4, "case \(n) \(algorithm)")
        } }
    }

    func testConvTranspose2D_BackwardMatchesFiniteDifferences() {
        for (n, g) in transposeCases.dropLast().enumerated() { for algorithm in algorithms {
            var rng = RandomGenerator(seed: UInt64(n))
            let layer = ConvTranspose2D(name: "t", inputChannels: g.i, outputChannels: g.o, kernelSize: g.k,
                                        stride: g.s, padding: g.p, outputPadding: g.op, height: g.h, width: g.w,
                                        algorithm: algorithm, using: &rng)
            checkLayerGradients(layer, inputShape: [2, g.i, g.h, g.w], seed: UInt64(40 + n))
        } }
    }

    /// The phase-grid layers keep their weights packed between calls: a weight changed in place,
    /// as an optimiser's step changes it, or replaced whole, must be packed again.
    func testPackedWeights_FollowEveryChangeOfTheWeight() {
        var rng = RandomGenerator(seed: 5)
        let conv = Conv2D(name: "c", inputChannels: 8, outputChannels: 6, kernelSize: 3, stride: 2, padding: 1,
                          height: 8, width: 8, algorithm: .phaseGEMM, using: &rng)
        let transpose = ConvTranspose2D(name: "t", inputChannels: 6, outputChannels: 8, kernelSize: 4, stride: 2, padding: 1,
                                        outputPadding: 0, height: 4, width: 4, algorithm: .phaseGEMM, using: &rng)
        func check(_ label: String) {
            let x = randomTensor([1, 8, 8, 8], seed: 6)
            var y = Tensor(zeros: conv.outputShape(for: x.shape))
            var scratch = Tensor(zeros: [conv.scratchCount(batchSize: 1)])
            conv.forward(x, into: &y, scratch: &scratch)
            assertClose(y, referenceConv2D(x, weight: conv.weight.value, bias: conv.bias.value, stride: 2, padding: 1),
                        rtol: 1e-4, atol: 1e-4, "Conv2D \(label)")
            let z = randomTensor([1, 6, 4, 4], seed: 7)
            var out = Tensor(zeros: transpose.outputShape(for: z.shape))
            var space = Tensor(zeros: [transpose.scratchCount(batchSize: 1)])
            transpose.forward(z, into: &out, scratch: &space)
            assertClose(out, referenceConvTranspose2D(z, weight: transpose.weight.value, bias: transpose.bias.value,
                                                      stride: 2, padding: 1, outputPadding: 0),
                        rtol: 1e-4, atol: 1e-4, "ConvTranspose2D \(label)")
        }
        check("as made")
        for layer in [conv, transpose] as [ConvolutionLayer] {
            let before = layer.weight.version
            layer.weight.value.storage.withUnsafeMutableBufferPointer { w in
                for j in w.indices { w[j] = -2 * w[j] + 0.01 * Float(j % 7) }
            }
            XCTAssertNotEqual(layer.weight.version, before, "a change in place is a new version")
        }
        check("changed in place")
        conv.weight.value = randomTensor(conv.weight.value.shape, seed: 8)
        transpose.weight.value = randomTensor(transpose.weight.value.shape, seed: 9)
        check("replaced")
    }

    func testAutomaticChoice_UsesPhaseGridsOnlyWithManyChannelsOnBothSides() {
        XCTAssertEqual(ConvolutionAlgorithm.automatic(inputChannels: 1, outputChannels: 32), .im2col)
        XCTAssertEqual(ConvolutionAlgorithm.automatic(inputChannels: 32, outputChannels: 1), .im2col)
        XCTAssertEqual(ConvolutionAlgorithm.automatic(inputChannels: 32, outputChannels: 64), .phaseGEMM)
    }

    func testConvTranspose2D_OutputSizeFollowsPyTorch() {
        var rng = RandomGenerator(seed: 1)
        let t1 = ConvTranspose2D(name: "t1", inputChannels: 64, outputChannels: 64, kernelSize: 3, stride: 2,
                                 padding: 1, outputPadding: 1, height: 7, width: 7, using: &rng)
        XCTAssertEqual(t1.outputShape(for: [5, 64, 7, 7]), [5, 64, 14, 14])
        XCTAssertEqual(t1.weight.value.shape, [64, 64, 3, 3])
        let t3 = ConvTranspose2D(name: "t3", inputChannels: 32, outputChannels: 1, kernelSize: 3, stride: 1,
                                 padding: 1, outputPadding: 0, height: 28, width: 28, using: &rng)
        XCTAssertEqual(t3.outputShape(for: [2, 32, 28, 28]), [2, 1, 28, 28])
        XCTAssertEqual(t3.weight.value.shape, [32, 1, 3, 3])
    }
}
