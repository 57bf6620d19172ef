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

    /// A setting, by its field name in a checkpoint's `latent.training`.
    public enum Setting: String, Sendable, CaseIterable {
        case epochs, batchSize, beta, learningRate, importanceSamples
    }

    /// A setting out of bounds: which one, and what is wrong with its value.
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public let setting: Setting
        /// "must be from 1 to 1000000, got 0".
        public let text: String
        /// "<field> <text>": "epochs must be from 1 to 1000000, got 0".
        public var description: String { "\(setting.rawValue) \(text)" }
    }

    /// The first setting out of bounds, or nil. The rules are the same wherever settings come
    /// from, so any settings a run accepts are read back from its checkpoint.
    public var problem: Problem? {
        func problem(_ setting: Setting, _ text: String) -> Problem { Problem(setting: setting, text: text) }
        if !(1...Self.maximumEpochs).contains(epochs) {
            return problem(.epochs, "must be from 1 to \(Self.maximumEpochs), got \(epochs)")
        }
        if !(1...Self.maximumBatchSize).contains(batchSize) {
            return problem(.batchSize, "must be from 1 to \(Self.maximumBatchSize), got \(batchSize)")
        }
        if !(beta >= 0) || !beta.isFinite { return problem(.beta, "must be a non-negative number, got \(beta)") }
        if !(adam.learningRate > 0) || !adam.learningRate.isFinite {
            return problem(.learningRate, "must be positive, got \(adam.learningRate)")
        }
        if !(0...Self.maximumImportanceSamples).contains(importanceSamples) {
            return problem(.importanceSamples, "must be from 0 to \(Self.maximumImportanceSamples), got \(importanceSamples)")
        }
        return nil
    }

    /// The most epochs a run may ask for: counts of images and steps stay far from overflow.
    public static let maximumEpochs = 1_000_000
    /// The most images per step.
    public static let maximumBatchSize = 65_536
    /// The most importance samples per image (as `latent eval` allows): each costs a decoder
    /// pass over the test set.
    public static let maximumImportanceSamples = 5000
}
