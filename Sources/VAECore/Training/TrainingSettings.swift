/// How a model is trained: stored in checkpoints beside the weights.
public struct TrainingSettings: Equatable, Sendable, Codable {
    public var epochs: Int                  // passes over the training set
    public var batchSize: Int = 128         // images per step
    public var beta: Float = 1              // weight of the KL term (1 = the ELBO)
    public var seed: UInt64 = 1             // initial weights, shuffling and sampling
    public var adam = Adam.Settings()       // optimiser hyper-parameters (PyTorch's defaults)
    public var importanceSamples: Int = 0   // k of the IWAE bound scored after each epoch (0 = off)

    public init(epochs: Int, batchSize: Int = 128, beta: Float = 1, seed: UInt64 = 1,
                adam: Adam.Settings = Adam.Settings(), importanceSamples: Int = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.beta = beta
        self.seed = seed
        self.adam = adam
        self.importanceSamples = importanceSamples
    }

    /// The first problem with these settings in words, naming the command-line options
    /// (`--epochs`, `--batch`, ...), or nil.
    public var problem: String? { problem(optionNames: true) }

    /// The first problem with settings read from a checkpoint, naming the JSON fields
    /// (`epochs`, `batchSize`, ...), or nil. The rules are the command line's, so any settings
    /// `latent train` accepts are read back.
    public var storedProblem: String? { problem(optionNames: false) }

    private func problem(optionNames: Bool) -> String? {
        func name(_ option: String, _ field: String) -> String { optionNames ? "--\(option)" : field }
        if epochs < 1 { return "\(name("epochs", "epochs")) must be at least 1, got \(epochs)" }
        if batchSize < 1 { return "\(name("batch", "batchSize")) must be at least 1, got \(batchSize)" }
        if !(beta >= 0) || !beta.isFinite { return "\(name("beta", "beta")) must be a non-negative number, got \(beta)" }
        if !(adam.learningRate > 0) || !adam.learningRate.isFinite {
            return "\(name("lr", "learningRate")) must be positive, got \(adam.learningRate)"
        }
        if importanceSamples < 0 { return "\(name("samples", "importanceSamples")) must be at least 0, got \(importanceSamples)" }
        return nil
    }
}
