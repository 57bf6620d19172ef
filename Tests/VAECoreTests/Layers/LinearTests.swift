import XCTest
@testable import VAECore

final class LinearTests: XCTestCase {
    func testLinear_ForwardMatchesPlainLoops() {
        var rng = RandomGenerator(seed: 3)
        let layer = Linear(name: "fc", inputSize: 7, outputSize: 5, using: &rng)
        let x = randomTensor([4, 7], seed: 4)
        var y = Tensor(zeros: [4, 5])
        var scratch = Tensor(zeros: [0])
        layer.forward(x, into: &y, scratch: &scratch)
        var expected = Tensor(zeros: [4, 5])
        for n in 0..<4 { for o in 0..<5 {
            var sum = layer.bias.value[o]
            for i in 0..<7 { sum += x[n * 7 + i] * layer.weight.value[o * 7 + i] }
            expected[n * 5 + o] = sum
        } }
        assertClose(y, expected)
    }

    func testLinear_BackwardMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 5)
        checkLayerGradients(Linear(name: "fc", inputSize: 9, outputSize: 6, using: &rng), inputShape: [3, 9])
    }

    func testLinear_InitialisationIsPyTorchsUniformBound() {
        var rng = RandomGenerator(seed: 1)
        let layer = Linear(name: "fc1", inputSize: 784, outputSize: 400, using: &rng)
        let bound = 1 / Float(784).squareRoot()
        XCTAssertEqual(layer.weight.name, "fc1.weight")
        XCTAssertEqual(layer.weight.value.shape, [400, 784])
        XCTAssertLessThanOrEqual(layer.weight.value.storage.map(abs).max()!, bound)
        XCTAssertGreaterThan(layer.weight.value.storage.map(abs).max()!, bound * 0.99)
    }

    /// The check must be able to fail: a wrong gradient is caught.
    func testGradientCheck_CatchesAWrongGradient() {
        final class WrongReLU: Layer {
            func outputShape(for input: [Int]) -> [Int] { input }
            func forward(_ x: Tensor, into y: inout Tensor, scratch: inout Tensor) {
                for i in 0..<x.count { y[i] = max(0, x[i]) }
            }
            func backward(_ dy: Tensor, input x: Tensor, output y: Tensor, scratch: inout Tensor,
                          dx: inout Tensor, needsInputGradient: Bool) {
                for i in 0..<x.count { dx[i] = dy[i] }  // forgets the mask
            }
        }
        let worst = checkLayerGradients(WrongReLU(), inputShape: [2, 10], failOnMismatch: false)
        XCTAssertGreaterThan(worst, 0.5, "the mask is missing, so the check must see a large error")
    }
}

final class ActivationTests: XCTestCase {
    func testReLU_BackwardMatchesFiniteDifferences() {
        checkLayerGradients(ReLU(), inputShape: [4, 25])
    }

    func testSigmoid_BackwardMatchesFiniteDifferences() {
        checkLayerGradients(Sigmoid(), inputShape: [4, 25])
    }

    func testSigmoid_IsStableAtLargeLogits() {
        let layer = Sigmoid()
        let x = Tensor(shape: [1, 4], storage: [-100, -20, 20, 100])
        var y = Tensor(zeros: [1, 4])
        var scratch = Tensor(zeros: [0])
        layer.forward(x, into: &y, scratch: &scratch)
        XCTAssertEqual(y[0], 0, accuracy: 1e-30)
        XCTAssertEqual(y[1], 2.0611537e-9, accuracy: 1e-14)
        XCTAssertEqual(y[2], 1, accuracy: 1e-7)
        XCTAssertEqual(y[3], 1)
    }
}
