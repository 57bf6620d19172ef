import XCTest
@testable import VAECore

final class DataParallelStepTests: XCTestCase {
    /// Without sampling (a plain autoencoder) the split step must give the whole batch's gradient.
    func testSplitStep_GivesTheWholeBatchGradient() {
        let architecture = Architecture(body: .conv(filters: [8, 8], dense: 6), latent: 2,
                                        image: ImageShape(channels: 1, height: 8, width: 8))
        let configuration = ModelConfiguration(architecture: architecture, kind: .ae)
        let whole = VAE(configuration: configuration, seed: 3)
        let split = whole.copy()
        let x = randomTensor([7, 64], seed: 4, low: 0, high: 1).storage
        var rng = RandomGenerator(seed: 1)
        whole.zeroGradients()
        let expected = x.withUnsafeBufferPointer { whole.accumulateGradients(batch: $0, batchSize: 7, beta: 1, rng: &rng) }
        let step = DataParallelStep(model: split, workers: 3)
        split.zeroGradients()
        let threads = BLAS.threads
        let terms = x.withUnsafeBufferPointer { step.accumulateGradients(batch: $0, batchSize: 7, beta: 1, rng: &rng) }
        XCTAssertEqual(BLAS.threads, threads, "the BLAS thread count is restored")
        XCTAssertEqual(terms.total, expected.total, accuracy: 1e-4 * expected.total)
        for (a, b) in zip(split.parameters, whole.parameters) {
            assertClose(a.gradient, b.gradient, rtol: 1e-3, atol: 1e-4, a.name)
        }
    }

    /// Replicas take the primary's weights at every step.
    func testReplicas_FollowThePrimarysWeights() {
        let architecture = Architecture(body: .conv(filters: [8], dense: 4), latent: 2,
                                        image: ImageShape(channels: 1, height: 4, width: 4))
        let model = VAE(configuration: ModelConfiguration(architecture: architecture, kind: .ae), seed: 1)
        let step = DataParallelStep(model: model, workers: 2)
        let x = randomTensor([4, 16], seed: 2, low: 0, high: 1).storage
        var rng = RandomGenerator(seed: 1)
        for parameter in model.parameters { parameter.value.storage = parameter.value.storage.map { $0 * 0.5 } }
        let reference = model.copy()
        model.zeroGradients()
        reference.zeroGradients()
        _ = x.withUnsafeBufferPointer { step.accumulateGradients(batch: $0, batchSize: 4, beta: 1, rng: &rng) }
        _ = x.withUnsafeBufferPointer { reference.accumulateGradients(batch: $0, batchSize: 4, beta: 1, rng: &rng) }
        for (a, b) in zip(model.parameters, reference.parameters) {
            assertClose(a.gradient, b.gradient, rtol: 1e-3, atol: 1e-4, a.name)
        }
    }
}
