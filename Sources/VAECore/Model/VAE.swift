import CKernels
import Foundation

/// Loss terms of a batch, each a mean over its images, in nats per image.
public struct LossTerms: Equatable, Sendable, Codable {
    /// Reconstruction: -log p(x|z) (BCE) or the sum of squared errors (MSE).
    public var reconstruction: Double
    /// KL(q(z|x) || N(0, I)) in closed form; 0 for a plain autoencoder.
    public var kl: Double
    /// The objective: reconstruction + beta * kl.
    public var total: Double

    public init(reconstruction: Double, kl: Double, total: Double) {
        self.reconstruction = reconstruction
        self.kl = kl
        self.total = total
    }
}

/// A variational autoencoder (or, with `kind: .ae`, a plain autoencoder) with explicit
/// forward and backward passes.
///
/// Legend: N = batch, D = pixels per image, L = latent size, F = encoder features.
/// ```
/// h = encoder(x)                          x: [N, D] -> h: [N, F]
/// zMean = meanHead(h), zLogVar = logVarHead(h)        [N, L]
/// z = zMean + exp(0.5 zLogVar) * eps,  eps ~ N(0, I)   (ae: z = zMean)
/// logits = decoder(z)                                  [N, D]
/// loss = reconstruction(logits, x) + beta * KL,  KL = -0.5 Σ (1 + zLogVar - zMean² - exp(zLogVar))
/// ```
/// `forward` runs these lines for a batch and `backward` runs them in reverse; training
/// (`accumulateGradients`), the ELBO (`scores`), the importance-weighted bound and
/// reconstructions all go through `forward`.
/// Not thread-safe: each thread that runs a model uses its own (`copy()`).
public final class VAE {
    public let configuration: ModelConfiguration
    public let encoder: Sequential
    public let meanHead: Linear
    /// nil for a plain autoencoder.
    public let logVarHead: Linear?
    public let decoder: Sequential
    /// Every trainable tensor, in PyTorch's state_dict order.
    public let parameters: [Parameter]

    /// Per-batch-size buffers of the latent part.
    final class LatentBuffers {
        var zMean, zLogVar, eps, z, dMean, dLogVar, dHidden: Tensor
        var reconstruction: [Float]
        var kl: [Float]
        var empty = Tensor(zeros: [0])

        init(batch: Int, latent: Int, features: Int) {
            zMean = Tensor(zeros: [batch, latent])
            zLogVar = zMean; eps = zMean; z = zMean; dMean = zMean; dLogVar = zMean
            dHidden = Tensor(zeros: [batch, features])
            reconstruction = [Float](repeating: 0, count: batch)
            kl = reconstruction
        }
    }
    private var latentBuffers: [Int: LatentBuffers] = [:]

    /// A freshly initialised model (PyTorch's default initialisation), weights drawn from `seed`.
    /// Builds the layers of `LayerPlan(configuration)`, in its order: see `parameterShapes(for:)`
    /// for the names and shapes without building anything.
    public init(configuration: ModelConfiguration, seed: UInt64) {
        precondition(configuration.architecture.problem == nil,
                     "invalid architecture: \(configuration.architecture.problem ?? "")")
        self.configuration = configuration
        var rng = RandomGenerator(seed: seed)
        let arch = configuration.architecture
        let image = arch.image
        let plan = LayerPlan(configuration)
        // Weights are drawn in this order (encoder, heads, decoder): changing it changes every
        // model a seed makes.
        let encoderLayers = plan.encoder.map { $0.makeLayer(using: &rng) }
        encoder = Sequential(layers: encoderLayers, sampleShape: [image.channels, image.height, image.width])
        meanHead = Linear(name: plan.meanHeadName, inputSize: plan.features, outputSize: arch.latent, using: &rng)
        logVarHead = plan.logVarHeadName.map {
            Linear(name: $0, inputSize: plan.features, outputSize: arch.latent, using: &rng)
        }
        let decoderLayers = plan.decoder.map { $0.makeLayer(using: &rng) }
        decoder = Sequential(layers: decoderLayers, sampleShape: [arch.latent])
        parameters = encoder.parameters + [meanHead.weight, meanHead.bias]
            + (logVarHead.map { [$0.weight, $0.bias] } ?? []) + decoder.parameters
    }

    /// The names and shapes of the parameters `VAE(configuration:seed:)` would make, in the
    /// same order, computed without allocating any weights: a checkpoint's header is checked
    /// against these before its model is built. `configuration` must be valid
    /// (`architecture.problem == nil`).
    /// - Complexity: O(layers); allocates only the small arrays of the result.
    public static func parameterShapes(for configuration: ModelConfiguration) -> [LayerPlan.ParameterShape] {
        LayerPlan(configuration).parameterShapes
    }

    /// Latent size L.
    public var latentSize: Int { configuration.architecture.latent }
    /// Values per image D.
    public var pixelCount: Int { configuration.architecture.image.pixelCount }

    /// Sets every parameter's gradient to zero.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }

    func buffers(batchSize: Int) -> LatentBuffers {
        if let existing = latentBuffers[batchSize] { return existing }
        let made = LatentBuffers(batch: batchSize, latent: latentSize, features: meanHead.inputSize)
        latentBuffers[batchSize] = made
        return made
    }

    /// Encoder and heads: fills `buffers.zMean` and `buffers.zLogVar` (zeros for an ae).
    @discardableResult
    func encode(_ x: UnsafeBufferPointer<Float>, batchSize n: Int, into buffers: LatentBuffers) -> Sequential.Workspace {
        let ws = encoder.forward(x, batchSize: n)
        meanHead.forward(ws.output, into: &buffers.zMean, scratch: &buffers.empty)
        if let logVarHead {
            logVarHead.forward(ws.output, into: &buffers.zLogVar, scratch: &buffers.empty)
        }
        return ws
    }

    /// z = zMean + exp(0.5 zLogVar) * eps with fresh eps (a VAE, `sampling`), or z = zMean with
    /// eps = 0 (a plain autoencoder, whose eps stays 0, or a VAE's mean).
    /// With `noise`, a VAE's eps is that ([n, L], standard normal draws made elsewhere) instead
    /// of fresh draws: how another implementation's numbers are reproduced exactly.
    func chooseLatent(_ b: LatentBuffers, sampling: Bool, rng: inout RandomGenerator,
                      noise: UnsafeBufferPointer<Float>? = nil) {
        guard logVarHead != nil && sampling else {
            b.z.storage.withUnsafeMutableBufferPointer { z in
                b.zMean.storage.withUnsafeBufferPointer { _ = z.update(fromContentsOf: $0) }
            }
            if logVarHead != nil {
                b.eps.storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            }
            return
        }
        b.eps.storage.withUnsafeMutableBufferPointer { eps in
            if let noise {
                precondition(noise.count == eps.count, "\(noise.count) noise values for a latent of \(eps.count)")
                _ = eps.update(fromContentsOf: noise)
            } else {
                rng.fillNormal(eps)
            }
        }
        for i in 0..<b.z.count {
            b.z[i] = b.zMean[i] + Foundation.exp(0.5 * b.zLogVar[i]) * b.eps[i]
        }
    }

    /// Per-image reconstruction into `b.reconstruction`; writes dL/dlogits into `dLogits` unless nil.
    func reconstructionLoss(logits: Tensor, target x: UnsafeBufferPointer<Float>, batchSize n: Int,
                            into b: LatentBuffers, dLogits: UnsafeMutablePointer<Float>?) {
        let d = pixelCount
        logits.storage.withUnsafeBufferPointer { lp in
            b.reconstruction.withUnsafeMutableBufferPointer { rp in
                switch configuration.reconstruction {
                case .bce: lk_bce_logits(lp.baseAddress!, x.baseAddress!, dLogits, rp.baseAddress!, n, d, 1)
                case .mse: lk_sse_sigmoid(lp.baseAddress!, x.baseAddress!, dLogits, rp.baseAddress!, n, d, 1)
                }
            }
        }
    }

    /// Per-image closed-form KL into `b.kl` (zeros for an ae).
    func klDivergence(_ b: LatentBuffers, batchSize n: Int) {
        let l = latentSize
        for i in 0..<n {
            var sum: Float = 0
            if logVarHead != nil {
                for j in (i * l)..<((i + 1) * l) {
                    let lv = b.zLogVar[j], m = b.zMean[j]
                    sum += 1 + lv - m * m - Foundation.exp(lv)
                }
            }
            b.kl[i] = -0.5 * sum
        }
    }

    /// The forward pass over a batch of `n` images [N, D] with one sample of z per image: what
    /// training, the ELBO and the importance-weighted bound all start from.
    /// ```
    /// h = encoder(x);  zMean = meanHead(h),  zLogVar = logVarHead(h)
    /// z = zMean + exp(0.5 zLogVar) * eps,  eps ~ N(0, I)        (ae: z = zMean, eps = 0)
    /// logits = decoder(z)
    /// reconstruction_i = -log p(x_i | z_i)
    /// kl_i = -0.5 Σ_j (1 + zLogVar_ij - zMean_ij² - exp(zLogVar_ij))
    /// ```
    /// Draws N x L normals from `rng` for a VAE and none for a plain autoencoder. Allocates
    /// nothing after the first call for a batch size: the result views this model's buffers for
    /// that size, so it holds until the model's next pass over a batch of the same size.
    public func forward(batch x: UnsafeBufferPointer<Float>, batchSize n: Int, rng: inout RandomGenerator) -> ForwardPass {
        forward(batch: x, batchSize: n, sampling: true, rng: &rng, lossGradient: false)
    }

    /// The forward pass through the posterior means: as `forward(batch:batchSize:rng:)` with
    /// z = zMean and eps = 0, deterministic (the KL term is the same closed form).
    public func forward(batch x: UnsafeBufferPointer<Float>, batchSize n: Int) -> ForwardPass {
        var unused = RandomGenerator(seed: 0)
        return forward(batch: x, batchSize: n, sampling: false, rng: &unused, lossGradient: false)
    }

    /// The forward pass; with `lossGradient` the reconstruction kernel also writes dL/dlogits
    /// into the decoder's workspace for `backward`, in the same sweep over the N x D logits as
    /// the loss (one pass over them instead of two).
    func forward(batch x: UnsafeBufferPointer<Float>, batchSize n: Int, sampling: Bool, rng: inout RandomGenerator,
                 lossGradient: Bool, noise: UnsafeBufferPointer<Float>? = nil) -> ForwardPass {
        precondition(x.count == n * pixelCount, "batch has \(x.count) values, expected \(n) x \(pixelCount)")
        let b = buffers(batchSize: n)
        let encoded = encode(x, batchSize: n, into: b)
        return forward(encoded: encoded, latent: b, target: x, batchSize: n, sampling: sampling, rng: &rng,
                       lossGradient: lossGradient, noise: noise)
    }

    /// `accumulateGradients` with z's standard normal draws given, [n, L] (a VAE's; a plain
    /// autoencoder ignores them): the pass whose per-image terms and gradients another
    /// implementation must reproduce from the same weights, batch and noise.
    func accumulateGradients(batch x: UnsafeBufferPointer<Float>, batchSize n: Int, beta: Float,
                             noise: UnsafeBufferPointer<Float>) -> ForwardPass {
        var unused = RandomGenerator(seed: 0)
        let pass = forward(batch: x, batchSize: n, sampling: true, rng: &unused, lossGradient: true, noise: noise)
        backward(pass, beta: beta)
        return pass
    }

    /// Another draw of z for the batch of `pass`, without running the encoder again: the
    /// decoder and the loss terms run on the new sample. `pass` is superseded by the result.
    func resample(_ pass: ForwardPass, rng: inout RandomGenerator) -> ForwardPass {
        pass.encoded.activations[0].storage.withUnsafeBufferPointer { x in
            forward(encoded: pass.encoded, latent: pass.latent, target: x, batchSize: pass.batchSize, sampling: true,
                    rng: &rng, lossGradient: false)
        }
    }

    /// The forward pass from z on: sample, decode, loss terms.
    private func forward(encoded: Sequential.Workspace, latent b: LatentBuffers, target x: UnsafeBufferPointer<Float>,
                         batchSize n: Int, sampling: Bool, rng: inout RandomGenerator, lossGradient: Bool,
                         noise: UnsafeBufferPointer<Float>? = nil) -> ForwardPass {
        chooseLatent(b, sampling: sampling, rng: &rng, noise: noise)
        let decoded = b.z.storage.withUnsafeBufferPointer { decoder.forward($0, batchSize: n) }
        if lossGradient {
            decoded.gradients[decoded.gradients.count - 1].storage.withUnsafeMutableBufferPointer { dLogits in
                reconstructionLoss(logits: decoded.output, target: x, batchSize: n, into: b, dLogits: dLogits.baseAddress!)
            }
        } else {
            reconstructionLoss(logits: decoded.output, target: x, batchSize: n, into: b, dLogits: nil)
        }
        klDivergence(b, batchSize: n)
        return ForwardPass(batchSize: n, encoded: encoded, latent: b, decoded: decoded)
    }

    /// The backward pass of `forward`, bottom-up, one step per step of it: accumulates the
    /// gradient of the batch's summed loss Σ_i (reconstruction_i + beta kl_i) into every
    /// parameter. `pass` comes from `forward(..., lossGradient: true)`, which left dL/dlogits
    /// in the decoder's workspace.
    func backward(_ pass: ForwardPass, beta: Float) {
        let b = pass.latent
        let encoded = pass.encoded
        // logits = decoder(z)
        decoder.backward(pass.decoded, needsInputGradient: true)
        let dz = pass.decoded.gradients[0]
        let h = encoded.output
        let featuresIndex = encoded.gradients.count - 1
        if let logVarHead {
            // z = zMean + sigma eps, and the KL term:
            for i in 0..<b.z.count {
                let sigma = Foundation.exp(0.5 * b.zLogVar[i])
                // term 1, through z = zMean + sigma eps:  dz/dzMean = 1,  dz/dzLogVar = 0.5 sigma eps
                // term 2, KL:  d/dzMean = zMean,  d/dzLogVar = 0.5 (exp(zLogVar) - 1)
                b.dMean[i] = dz[i] + beta * b.zMean[i]
                b.dLogVar[i] = dz[i] * 0.5 * sigma * b.eps[i] + beta * 0.5 * (sigma * sigma - 1)
            }
            // zMean = meanHead(h), zLogVar = logVarHead(h): dh is the sum of both heads' dx.
            meanHead.backward(b.dMean, input: h, output: b.zMean, scratch: &b.empty,
                              dx: &encoded.gradients[featuresIndex], needsInputGradient: true)
            logVarHead.backward(b.dLogVar, input: h, output: b.zLogVar, scratch: &b.empty,
                                dx: &b.dHidden, needsInputGradient: true)
            encoded.gradients[featuresIndex].storage.withUnsafeMutableBufferPointer { dh in
                b.dHidden.storage.withUnsafeBufferPointer { extra in
                    for i in dh.indices { dh[i] += extra[i] }
                }
            }
        } else {
            // z = zMean = meanHead(h)
            meanHead.backward(dz, input: h, output: b.zMean, scratch: &b.empty,
                              dx: &encoded.gradients[featuresIndex], needsInputGradient: true)
        }
        // h = encoder(x)
        encoder.backward(encoded, needsInputGradient: false)
    }

    /// One forward and backward pass over a batch of `n` images [N, D]: accumulates the gradient
    /// of the batch's summed loss Σ_images (reconstruction + beta KL), as PyTorch's example does,
    /// and returns the batch means. Zero the gradients first. Allocates nothing after the first
    /// call for a batch size.
    public func accumulateGradients(batch x: UnsafeBufferPointer<Float>, batchSize n: Int, beta: Float,
                                    rng: inout RandomGenerator) -> LossTerms {
        let pass = forward(batch: x, batchSize: n, sampling: true, rng: &rng, lossGradient: true)
        backward(pass, beta: beta)
        return pass.terms(beta: beta)
    }

    /// A deep copy with the same weights and no buffers, for use on another thread.
    public func copy() -> VAE {
        let twin = VAE(configuration: configuration, seed: 0)
        for (mine, theirs) in zip(parameters, twin.parameters) {
            theirs.value = mine.value
        }
        return twin
    }
}
