/// What `VAE.forward` leaves for a batch of N images: the posterior, the sample of z, the
/// decoder's logits and each image's loss terms, in nats.
///
/// A view of the model's buffers for batch size N, not a copy: it holds until the model's next
/// pass over a batch of the same size (the arrays and tensors taken from it are values and
/// keep what they held).
public struct ForwardPass {
    /// Images in the batch, N.
    public let batchSize: Int
    /// The encoder's workspace: activations[0] is the batch x, its output the features h.
    let encoded: Sequential.Workspace
    /// zMean, zLogVar, eps, z and the per-image terms.
    let latent: VAE.LatentBuffers
    /// The decoder's workspace: its input is z, its output the logits.
    let decoded: Sequential.Workspace

    /// Posterior means, [N, L].
    public var zMean: Tensor { latent.zMean }
    /// Posterior log-variances, [N, L] (zeros for a plain autoencoder).
    public var zLogVar: Tensor { latent.zLogVar }
    /// The standard normal draws behind z, [N, L] (zeros when z is the mean).
    public var eps: Tensor { latent.eps }
    /// The latent points decoded: zMean + exp(0.5 zLogVar) * eps, [N, L].
    public var z: Tensor { latent.z }
    /// The decoder's output before the sigmoid, [N, D].
    public var logits: Tensor { decoded.output }
    /// Each image's reconstruction term: -log p(x|z) (BCE) or the sum of squared errors (MSE).
    public var reconstruction: [Float] { latent.reconstruction }
    /// Each image's KL(q(z|x) || N(0, I)), in closed form; 0 for a plain autoencoder.
    public var kl: [Float] { latent.kl }

    /// The batch means of the terms, with total = reconstruction + beta * kl: what a training
    /// step reports.
    public func terms(beta: Float) -> LossTerms {
        var reconstruction = 0.0, kl = 0.0
        for i in 0..<batchSize {
            reconstruction += Double(latent.reconstruction[i])
            kl += Double(latent.kl[i])
        }
        reconstruction /= Double(batchSize)
        kl /= Double(batchSize)
        return LossTerms(reconstruction: reconstruction, kl: kl, total: reconstruction + Double(beta) * kl)
    }
}
