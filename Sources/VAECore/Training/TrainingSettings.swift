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

    /// The most epochs a run may ask for: counts of images and steps stay far from overflow.
    public static let maximumEpochs = 1_000_000
    /// The most images per step.
    public static let maximumBatchSize = 65_536
    /// The most importance samples per image (as `latent eval` allows): each costs a decoder
    /// pass over the test set.
    public static let maximumImportanceSamples = 5000

    private func problem(optionNames: Bool) -> String? {
        func name(_ option: String, _ field: String) -> String { optionNames ? "--\(option)" : field }
        if !(1...Self.maximumEpochs).contains(epochs) {
            return "\(name("epochs", "epochs")) must be from 1 to \(Self.maximumEpochs), got \(epochs)"
        }
        if !(1...Self.maximumBatchSize).contains(batchSize) {
            return "\(name("batch", "batchSize")) must be from 1 to \(Self.maximumBatchSize), got \(batchSize)"
        }
        if !(beta >= 0) || !beta.isFinite { return "\(name("beta", "beta")) must be a non-negative number, got \(beta)" }
        if !(adam.learningRate > 0) || !adam.learningRate.isFinite {
            return "\(name("lr", "learningRate")) must be positive, got \(adam.learningRate)"
        }
        if !(0...Self.maximumImportanceSamples).contains(importanceSamples) {
            return "\(name("samples", "importanceSamples")) must be from 0 to \(Self.maximumImportanceSamples), got \(importanceSamples)"
        }
        return nil
    }
}
