/// A model's scores on a held-out set, in nats per image.
public struct EvaluationResult: Equatable, Sendable, Codable {
    /// Images scored.
    public var count: Int
    /// Mean reconstruction term (one sample of z per image).
    public var reconstruction: Double
    /// Mean KL term.
    public var kl: Double
    /// Mean importance-weighted bound on -log p(x), when it was computed.
    public var importanceWeightedBound: Double?
    /// Importance samples behind `importanceWeightedBound`.
    public var importanceSamples: Int?

    public init(count: Int, reconstruction: Double, kl: Double, importanceWeightedBound: Double? = nil,
                importanceSamples: Int? = nil) {
        self.count = count
        self.reconstruction = reconstruction
        self.kl = kl
        self.importanceWeightedBound = importanceWeightedBound
        self.importanceSamples = importanceSamples
    }

    /// Mean negative ELBO: reconstruction + KL (beta plays no part here).
    public var negativeELBO: Double { reconstruction + kl }
}

/// Scores a model on a dataset: the one-sample negative ELBO, and optionally the
/// importance-weighted bound with k samples (Burda et al. 2015).
public enum Evaluation {
    /// Evaluates `model` on every image of `dataset`. `importanceSamples` > 0 adds the IWAE bound
    /// (VAE only; it costs k decoder passes per image), and `progress` hears how many images of
    /// that slow part are done; when `shouldStop` turns true the bound is dropped (nil) and the
    /// rest of the result stands.
    ///
    /// `dataset` must hold at least one image (a precondition): a mean over none is 0/0, which
    /// read as a diverged model. Every data source gives a non-empty test set (synthetic at
    /// least one image, IDX files at least one, image folders see `ImageFolder`).
    public static func run(model: VAE, on dataset: Dataset, importanceSamples: Int = 0, seed: UInt64,
                           progress: ((Int) -> Void)? = nil, shouldStop: (() -> Bool)? = nil) -> EvaluationResult {
        precondition(dataset.count > 0, "\(dataset.name): no images to evaluate on")
        var rng = RandomGenerator(seed: seed)
        let scores = model.scores(of: dataset, rng: &rng)
        let n = Double(dataset.count)
        var result = EvaluationResult(
            count: dataset.count,
            reconstruction: scores.reconstruction.reduce(0.0) { $0 + Double($1) } / n,
            kl: scores.kl.reduce(0.0) { $0 + Double($1) } / n)
        if importanceSamples > 0 && model.configuration.kind == .vae {
            let bounds = model.importanceWeightedBound(of: dataset, samples: importanceSamples, rng: &rng,
                                                       progress: progress, shouldStop: shouldStop)
            if let bounds {
                result.importanceWeightedBound = bounds.reduce(0, +) / n
                result.importanceSamples = importanceSamples
            }
        }
        return result
    }
}
