/// Progress of one optimisation step.
public struct StepReport: Equatable, Sendable {
    /// Steps taken since training started (1-based), counting across epochs and resumes.
    public var step: Int
    /// Current epoch (1-based).
    public var epoch: Int
    /// Batches done in this epoch, and how many it has.
    public var batch: Int
    public var batchesPerEpoch: Int
    /// This batch's loss terms, nats per image.
    public var loss: LossTerms
    /// KL weight used for this step.
    public var beta: Float
    /// Training throughput over the epoch so far.
    public var imagesPerSecond: Double
    /// Estimated seconds until the last epoch ends, at the current throughput (evaluation excluded).
    public var secondsRemaining: Double

    public init(step: Int, epoch: Int, batch: Int, batchesPerEpoch: Int, loss: LossTerms, beta: Float,
                imagesPerSecond: Double, secondsRemaining: Double) {
        self.step = step
        self.epoch = epoch
        self.batch = batch
        self.batchesPerEpoch = batchesPerEpoch
        self.loss = loss
        self.beta = beta
        self.imagesPerSecond = imagesPerSecond
        self.secondsRemaining = secondsRemaining
    }
}

/// Summary of one finished epoch.
public struct EpochRecord: Equatable, Sendable, Codable {
    public var epoch: Int
    /// Steps taken when the epoch ended.
    public var step: Int
    /// Means over the epoch's training batches, weighted by batch size.
    public var train: LossTerms
    /// The test set's scores after the epoch.
    public var test: EvaluationResult
    /// KL weight at the end of the epoch.
    public var beta: Float
    /// Seconds spent in training steps (pauses and evaluation excluded).
    public var trainSeconds: Double
    public var imagesPerSecond: Double

    public init(epoch: Int, step: Int, train: LossTerms, test: EvaluationResult, beta: Float,
                trainSeconds: Double, imagesPerSecond: Double) {
        self.epoch = epoch
        self.step = step
        self.train = train
        self.test = test
        self.beta = beta
        self.trainSeconds = trainSeconds
        self.imagesPerSecond = imagesPerSecond
    }
}

/// Something the trainer reports; listeners receive these on the training thread.
public enum TrainingEvent: Sendable {
    /// A step finished.
    case step(StepReport)
    /// An epoch finished and the test set was scored.
    case epoch(EpochRecord)
    /// Training paused (true) or resumed (false).
    case paused(Bool)
    /// Training stopped: every epoch done (`cancelled` false) or cancelled early.
    case finished(cancelled: Bool)
    /// Training stopped because the model diverged; nothing more is saved.
    case diverged(TrainingDiverged)
}
