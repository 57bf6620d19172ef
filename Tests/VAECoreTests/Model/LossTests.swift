import CKernels
import Foundation
import XCTest
@testable import VAECore

final class LossTests: XCTestCase {
    func testBCE_IsExactAndFiniteAtLogitsOfPlusMinus100() {
        let logits: [Float] = [-100, 100, -100, 100, 0]
        let targets: [Float] = [1, 0, 0, 1, 0.5]
        var gradient = [Float](repeating: 0, count: 5)
        var loss: [Float] = [0]
        lk_bce_logits(logits, targets, &gradient, &loss, 1, 5, 1)
        // 100 + 100 + e^-100 + e^-100 + log 2
        XCTAssertEqual(loss[0], 200 + Float(M_LN2), accuracy: 1e-4)
        assertClose(gradient, [-1, 1, 0, 0, 0], atol: 1e-6)
        XCTAssertTrue(gradient.allSatisfy(\.isFinite))
    }

    func testBCE_MatchesDoublePrecisionAcrossLogits() {
        let count = 601
        let logits = (0..<count).map { Float($0 - 300) / 10 }  // -30 ... 30
        var rng = RandomGenerator(seed: 1)
        let targets = (0..<count).map { _ in rng.nextUnitFloat() }
        var gradient = [Float](repeating: 0, count: count)
        var loss = [Float](repeating: 0, count: count)
        lk_bce_logits(logits, targets, &gradient, &loss, count, 1, 1)
        for i in 0..<count {
            let l = Double(logits[i]), x = Double(targets[i])
            let expected = max(l, 0) - l * x + log1p(exp(-abs(l)))
            XCTAssertEqual(Double(loss[i]), expected, accuracy: 1e-6 * max(1, expected), "logit \(l)")
            XCTAssertEqual(Double(gradient[i]), 1 / (1 + exp(-l)) - x, accuracy: 1e-6, "logit \(l)")
        }
    }

    func testKL_ClosedFormMatchesMonteCarlo() {
        let model = VAE(configuration: ModelConfiguration(architecture: tinyMLP), seed: 1)
        let b = model.buffers(batchSize: 1)
        let mean: [Float] = [0.5, -1.2, 0.1], logVar: [Float] = [-0.7, 0.4, -2.0]
        for j in 0..<3 { b.zMean[j] = mean[j]; b.zLogVar[j] = logVar[j] }
        model.klDivergence(b, batchSize: 1)
        // KL = E_q[log q(z) - log p(z)], sampled.
        var rng = RandomGenerator(seed: 9)
        var sum = 0.0
        let samples = 200_000
        for _ in 0..<samples {
            var term = 0.0
            for j in 0..<3 {
                let eps = Double(rng.normal())
                let z = Double(mean[j]) + exp(0.5 * Double(logVar[j])) * eps
                term += -0.5 * (eps * eps + Double(logVar[j])) + 0.5 * z * z
            }
            sum += term
        }
        XCTAssertEqual(Double(b.kl[0]), sum / Double(samples), accuracy: 0.01)
    }

    /// The summed loss of a batch, with eps fixed by the seed, for finite differences.
    /// Runs the model's own forward pass, then sums the terms in Double from its buffers
    /// (the Float32 per-image sums would drown the differences in rounding).
    private func summedLoss(_ model: VAE, _ x: [Float], beta: Float) -> Double {
        var rng = RandomGenerator(seed: 42)
        let n = x.count / model.pixelCount
        model.zeroGradients()
        _ = x.withUnsafeBufferPointer { model.accumulateGradients(batch: $0, batchSize: n, beta: beta, rng: &rng) }
        let logits = model.decoder.workspace(batchSize: n).output.storage
        var total = 0.0
        for i in 0..<logits.count {
            let l = Double(logits[i]), t = Double(x[i])
            switch model.configuration.reconstruction {
            case .bce: total += max(l, 0) - l * t + log1p(exp(-abs(l)))
            case .mse: total += pow(1 / (1 + exp(-l)) - t, 2)
            }
        }
        if model.logVarHead != nil {
            let b = model.buffers(batchSize: n)
            for j in 0..<b.zMean.count {
                let m = Double(b.zMean[j]), lv = Double(b.zLogVar[j])
                total += Double(beta) * -0.5 * (1 + lv - m * m - exp(lv))
            }
        }
        return total
    }

    private func checkWholeLoss(_ configuration: ModelConfiguration, beta: Float, seed: UInt64) {
        let model = VAE(configuration: configuration, seed: seed)
        let x = randomTensor([3, model.pixelCount], seed: seed + 1, low: 0, high: 1).storage
        let center = summedLoss(model, x, beta: beta)
        let analytic = model.parameters.map(\.gradient)
        var rng = RandomGenerator(seed: seed + 2)
        let eps: Float = 1e-3
        var checked = 0, skipped = 0
        for (p, gradient) in zip(model.parameters, analytic) {
            for _ in 0..<6 {
                let i = rng.index(below: p.value.count)
                let saved = p.value[i]
                p.value[i] = saved + eps; let plus = summedLoss(model, x, beta: beta)
                p.value[i] = saved - eps; let minus = summedLoss(model, x, beta: beta)
                p.value[i] = saved
                let numeric = (plus - minus) / (2 * Double(eps))
                // A ReLU kink between the two probes makes the one-sided slopes disagree;
                // central differences are meaningless there, so such entries are skipped.
                let (right, left) = ((plus - center) / Double(eps), (center - minus) / Double(eps))
                if abs(right - left) > 0.02 * max(0.05, abs(right) + abs(left)) { skipped += 1; continue }
                let error = abs(Double(gradient[i]) - numeric) / max(0.05, abs(numeric) + abs(Double(gradient[i])))
                XCTAssertLessThan(error, 2e-2, "\(configuration.architecture.name) \(p.name)[\(i)]: analytic \(gradient[i]), numeric \(numeric)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 2 * skipped, "too many entries sit on ReLU kinks to check")
        XCTAssertGreaterThan(checked, 20)
    }

    let tinyMLP = Architecture(body: .mlp(hidden: [6]), latent: 3, image: ImageShape(channels: 1, height: 4, width: 4))
    let tinyConv = Architecture(body: .conv(filters: [2, 3], dense: 4), latent: 2, image: ImageShape(channels: 1, height: 8, width: 8))

    func testWholeLoss_MLPVAE_MatchesFiniteDifferences() {
        checkWholeLoss(ModelConfiguration(architecture: tinyMLP), beta: 1, seed: 3)
    }

    func testWholeLoss_ConvVAEWithBeta_MatchesFiniteDifferences() {
        checkWholeLoss(ModelConfiguration(architecture: tinyConv), beta: 2.5, seed: 12)
    }

    /// Colour: three input channels through three convolutions (torch_vae.py's colour family,
    /// enc.K and dec.K), with the Bernoulli and the Gaussian reconstruction per channel.
    func testWholeLoss_ColourConvVAE_MatchesFiniteDifferences() {
        let colour = Architecture(body: .conv(filters: [2, 3, 2], dense: 4), latent: 2, image: ImageShape(channels: 3, height: 8, width: 8))
        checkWholeLoss(ModelConfiguration(architecture: colour), beta: 1, seed: 21)
        checkWholeLoss(ModelConfiguration(architecture: colour, reconstruction: .mse), beta: 1, seed: 22)
    }

    func testWholeLoss_GaussianReconstruction_MatchesFiniteDifferences() {
        checkWholeLoss(ModelConfiguration(architecture: tinyMLP, reconstruction: .mse), beta: 1, seed: 5)
    }

    func testWholeLoss_PlainAutoencoder_MatchesFiniteDifferencesAndHasNoKL() {
        let configuration = ModelConfiguration(architecture: tinyMLP, kind: .ae)
        checkWholeLoss(configuration, beta: 1, seed: 6)
        let model = VAE(configuration: configuration, seed: 6)
        XCTAssertNil(model.logVarHead)
        XCTAssertFalse(model.parameters.contains { $0.name.hasPrefix("fc22") })
        var rng = RandomGenerator(seed: 1)
        let x = randomTensor([2, 16], seed: 2, low: 0, high: 1).storage
        let terms = x.withUnsafeBufferPointer { model.accumulateGradients(batch: $0, batchSize: 2, beta: 1, rng: &rng) }
        XCTAssertEqual(terms.kl, 0)
        XCTAssertEqual(terms.total, terms.reconstruction)
    }

    func testImportanceWeightedBound_IsTighterThanTheELBOAndMatchesItAtOneSample() throws {
        let model = VAE(configuration: ModelConfiguration(architecture: tinyMLP), seed: 8)
        let x = randomTensor([20, 16], seed: 9, low: 0, high: 1).storage
        var rng = RandomGenerator(seed: 1)
        let one = try XCTUnwrap(x.withUnsafeBufferPointer { model.importanceWeightedBound(images: $0, count: 20, samples: 1, rng: &rng) })
        rng = RandomGenerator(seed: 1)
        let scores = x.withUnsafeBufferPointer { model.scores(images: $0, count: 20, rng: &rng) }
        // With one sample, log w = -recon + log p(z) - log q(z|x), whose mean over q is -ELBO's negation.
        XCTAssertEqual(one.reduce(0, +) / 20, Double(scores.negativeELBO.reduce(0, +)) / 20, accuracy: 3.0)
        rng = RandomGenerator(seed: 2)
        let many = try XCTUnwrap(x.withUnsafeBufferPointer { model.importanceWeightedBound(images: $0, count: 20, samples: 64, rng: &rng) })
        rng = RandomGenerator(seed: 3)
        var elbo = 0.0
        for _ in 0..<20 {
            let s = x.withUnsafeBufferPointer { model.scores(images: $0, count: 20, rng: &rng) }
            elbo += Double(s.negativeELBO.reduce(0, +)) / 20
        }
        XCTAssertLessThan(many.reduce(0, +) / 20, elbo / 20)
    }
}
