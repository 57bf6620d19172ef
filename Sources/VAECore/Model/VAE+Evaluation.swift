import Foundation

/// Per-image loss terms, in nats.
public struct ImageScores: Sendable {
    /// Reconstruction term of each image (one sample of z).
    public var reconstruction: [Float]
    /// KL term of each image.
    public var kl: [Float]

    /// Negative ELBO of each image: reconstruction + KL. Higher is stranger (the anomaly score).
    public var negativeELBO: [Float] { zip(reconstruction, kl).map { $0 + $1 } }
}

extension VAE {
    /// One-sample negative-ELBO terms of each of `count` images [N, D], with z sampled as in
    /// training (PyTorch's example does the same at test time): `forward`'s per-image terms,
    /// chunk by chunk, without gradients.
    public func scores(images: UnsafeBufferPointer<Float>, count: Int, rng: inout RandomGenerator) -> ImageScores {
        var result = ImageScores(reconstruction: [], kl: [])
        result.reconstruction.reserveCapacity(count)
        result.kl.reserveCapacity(count)
        forEachChunk(of: images, count: count) { _, n, x in
            let pass = forward(batch: x, batchSize: n, rng: &rng)
            result.reconstruction += pass.reconstruction
            result.kl += pass.kl
        }
        return result
    }

    /// The importance-weighted bound (Burda et al. 2015) on -log p(x) for each image, from
    /// `samples` draws of q(z|x):
    /// ```
    /// -log p(x) <= -log (1/k) Σ_s p(x|z_s) p(z_s) / q(z_s|x),   z_s ~ q(z|x)
    /// ```
    /// k = 1 is the one-sample negative ELBO; the bound tightens as k grows. For a VAE only.
    /// `progress` is called with the number of images done after each chunk of them, and
    /// `shouldStop` before each chunk: when it says stop, the result is nil.
    public func importanceWeightedBound(images: UnsafeBufferPointer<Float>, count: Int, samples: Int,
                                        rng: inout RandomGenerator, progress: ((Int) -> Void)? = nil,
                                        shouldStop: (() -> Bool)? = nil) -> [Double]? {
        precondition(logVarHead != nil, "the importance-weighted bound needs a VAE, not a plain autoencoder")
        precondition(samples >= 1, "samples must be at least 1, got \(samples)")
        let l = latentSize
        var bounds = [Double](repeating: 0, count: count)
        var stopped = false
        forEachChunk(of: images, count: count) { start, n, x in
            if stopped || shouldStop?() == true {
                stopped = true
                return
            }
            // Running log-sum-exp of the log weights, per image.
            var maximum = [Double](repeating: -.infinity, count: n)
            var sum = [Double](repeating: 0, count: n)
            var pass = forward(batch: x, batchSize: n, rng: &rng)
            for sample in 0..<samples {
                // The posterior stays; only z is drawn again.
                if sample > 0 { pass = resample(pass, rng: &rng) }
                let b = pass.latent
                for i in 0..<n {
                    // log p(z) - log q(z|x); the (L/2) log 2π of each cancels.
                    var logPrior = 0.0, logPosterior = 0.0
                    for j in (i * l)..<((i + 1) * l) {
                        let z = Double(b.z[j]), eps = Double(b.eps[j])
                        logPrior -= 0.5 * z * z
                        logPosterior -= 0.5 * (eps * eps + Double(b.zLogVar[j]))
                    }
                    let logWeight = -Double(b.reconstruction[i]) + logPrior - logPosterior
                    if logWeight > maximum[i] {
                        sum[i] = sum[i] * Foundation.exp(maximum[i] - logWeight) + 1
                        maximum[i] = logWeight
                    } else {
                        sum[i] += Foundation.exp(logWeight - maximum[i])
                    }
                }
            }
            for i in 0..<n {
                bounds[start + i] = -(maximum[i] + Foundation.log(sum[i]) - Foundation.log(Double(samples)))
            }
            progress?(start + n)
        }
        return stopped ? nil : bounds
    }
}
