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

    /// Largest step count a history may hold: 2^53, the last integer a Double holds exactly.
    /// Far beyond any real run, and far enough below Int.max that counting on never overflows.
    public static let maximumStep = 1 << 53

    /// The first problem with a history read from a file, in words, or nil: epochs must count
    /// 1, 2, 3, ... in order (as the trainer numbers them, resumes included), steps must not
    /// decrease and stay within 0...maximumStep, and test image and sample counts must not be
    /// negative. Loss values may be anything, NaN included: they are only shown.
    public static func problem(inHistory history: [EpochRecord]) -> String? {
        var previousStep = 0
        for (index, record) in history.enumerated() {
            guard record.epoch == index + 1 else {
                return "record \(index + 1) is numbered epoch \(record.epoch); epochs count 1, 2, 3, ... in order"
            }
            guard record.step >= previousStep, record.step <= maximumStep else {
                return "epoch \(record.epoch) ends at step \(record.step), "
                    + (record.step < previousStep ? "before the \(previousStep) of the epoch before" : "beyond \(maximumStep)")
            }
            previousStep = record.step
            guard record.test.count >= 0, (record.test.importanceSamples ?? 0) >= 0 else {
                return "epoch \(record.epoch) has a negative test count"
            }
        }
        return nil
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
    /// Training stopped on an error (a checkpoint could not be written, say): its message.
    case failed(String)
    /// A save asked for with `TrainingControl.requestSave()` was done (`failure` nil) or failed;
    /// training goes on either way.
    case saved(failure: String?)
}
