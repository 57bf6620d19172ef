import XCTest
@testable import VAECore

/// `VAE.forward` is the one forward pass: training, scoring and reconstruction report its numbers.
final class ForwardPassTests: XCTestCase {
    let tinyMLP = Architecture(body: .mlp(hidden: [6]), latent: 3, image: ImageShape(channels: 1, height: 4, width: 4))
    let tinyConv = Architecture(body: .conv(filters: [2, 3], dense: 4), latent: 2, image: ImageShape(channels: 1, height: 8, width: 8))

    private func checkForwardMatchesTrainingAndScores(_ configuration: ModelConfiguration, beta: Float) {
        let model = VAE(configuration: configuration, seed: 4)
        let n = 5
        let x = randomTensor([n, model.pixelCount], seed: 5, low: 0, high: 1).storage
        let name = "\(configuration.architecture.name) \(configuration.kind) \(configuration.reconstruction)"

        var rng = RandomGenerator(seed: 7)
        let pass = x.withUnsafeBufferPointer { model.forward(batch: $0, batchSize: n, rng: &rng) }
        let (reconstruction, kl, terms) = (pass.reconstruction, pass.kl, pass.terms(beta: beta))
        XCTAssertEqual(reconstruction.count, n)
        XCTAssertTrue(reconstruction.allSatisfy { $0 > 0 }, name)

        rng = RandomGenerator(seed: 7)
        model.zeroGradients()
        let trained = x.withUnsafeBufferPointer { model.accumulateGradients(batch: $0, batchSize: n, beta: beta, rng: &rng) }
        // Training's kernel writes dL/dlogits in the same sweep, and the compiler orders that
        // loop's Float32 sums differently: equal to rounding, not to the bit.
        XCTAssertEqual(trained.reconstruction, terms.reconstruction, accuracy: 1e-6 * terms.reconstruction,
                       "training reports forward's batch means: \(name)")
        XCTAssertEqual(trained.kl, terms.kl, name)
        XCTAssertEqual(trained.total, terms.total, accuracy: 1e-6 * terms.total, name)

        rng = RandomGenerator(seed: 7)
        let scores = x.withUnsafeBufferPointer { model.scores(images: $0, count: n, rng: &rng) }
        XCTAssertEqual(scores.reconstruction, reconstruction, "scores are forward's per-image terms: \(name)")
        XCTAssertEqual(scores.kl, kl, name)
        let meanELBO = scores.negativeELBO.reduce(0.0) { $0 + Double($1) } / Double(n)
        XCTAssertEqual(meanELBO, terms.reconstruction + terms.kl, accuracy: 1e-4 * meanELBO, name)
    }

    func testForward_TermsEqualTrainingLossAndScores_MLP() {
        checkForwardMatchesTrainingAndScores(ModelConfiguration(architecture: tinyMLP), beta: 1)
        checkForwardMatchesTrainingAndScores(ModelConfiguration(architecture: tinyMLP, reconstruction: .mse), beta: 2.5)
        checkForwardMatchesTrainingAndScores(ModelConfiguration(architecture: tinyMLP, kind: .ae), beta: 1)
    }

    func testForward_TermsEqualTrainingLossAndScores_Conv() {
        checkForwardMatchesTrainingAndScores(ModelConfiguration(architecture: tinyConv), beta: 0.5)
    }

    func testForward_ThroughTheMean_IsDeterministicWithTheSameKL() {
        let model = VAE(configuration: ModelConfiguration(architecture: tinyMLP), seed: 2)
        let x = randomTensor([3, 16], seed: 3, low: 0, high: 1)
        var rng = RandomGenerator(seed: 1)
        let sampledKL = x.storage.withUnsafeBufferPointer { model.forward(batch: $0, batchSize: 3, rng: &rng).kl }
        let pass = x.storage.withUnsafeBufferPointer { model.forward(batch: $0, batchSize: 3) }
        XCTAssertEqual(pass.z, pass.zMean)
        XCTAssertTrue(pass.eps.storage.allSatisfy { $0 == 0 }, "the mean is a draw of eps = 0")
        XCTAssertEqual(pass.kl, sampledKL, "KL is closed form: the sample plays no part")
        let again = x.storage.withUnsafeBufferPointer { model.forward(batch: $0, batchSize: 3).reconstruction }
        XCTAssertEqual(pass.reconstruction, again)
        // Reconstructions are that pass's pixel means.
        assertClose(model.reconstruct(x), model.decode(model.encode(x).zMean), atol: 1e-6)
    }

    func testForward_OfAPlainAutoencoder_DrawsNothing() {
        let model = VAE(configuration: ModelConfiguration(architecture: tinyMLP, kind: .ae), seed: 2)
        let x = randomTensor([2, 16], seed: 3, low: 0, high: 1).storage
        var rng = RandomGenerator(seed: 1)
        let pass = x.withUnsafeBufferPointer { model.forward(batch: $0, batchSize: 2, rng: &rng) }
        var fresh = RandomGenerator(seed: 1)
        XCTAssertEqual(rng.next(), fresh.next(), "z = zMean: no normals drawn")
        XCTAssertEqual(pass.z, pass.zMean)
        XCTAssertEqual(pass.kl, [0, 0])
    }
}
