import Foundation

/// Trains a model on a data split, reporting every step to its listeners.
///
/// `run()` trains on the calling thread; start it on a background thread to keep a UI
/// responsive, and steer it through `control` from any thread. Listeners are called on the
/// training thread, between steps, so they see a consistent model.
public final class Trainer: @unchecked Sendable {
    public let model: VAE
    public let data: DataSplit
    public let settings: TrainingSettings
    public let control: TrainingControl
    /// One record per finished epoch, including epochs of earlier runs being resumed.
    public private(set) var history: [EpochRecord]
    /// Steps taken so far, across resumes.
    public private(set) var step: Int

    private let optimizer: Adam
    /// Set for convolutional models: steps run in cache-sized chunks, split over the cores.
    private let parallelStep: DataParallelStep?
    private var listeners: [(TrainingEvent) -> Void] = []
    /// Held during each step, so `snapshot()` never sees half-updated weights.
    private let stepLock = NSLock()

    /// A trainer for `model`. Pass the `history` of a checkpoint to continue its epoch count.
    public init(model: VAE, data: DataSplit, settings: TrainingSettings, history: [EpochRecord] = [],
                control: TrainingControl? = nil) {
        precondition(settings.problem == nil, settings.problem?.description ?? "")
        precondition(model.configuration.architecture.image == data.shape,
                     "model takes \(model.configuration.architecture.image) images, data has \(data.shape)")
        self.model = model
        self.data = data
        self.settings = settings
        self.history = history
        self.step = history.last?.step ?? 0
        self.control = control ?? TrainingControl(beta: settings.beta)
        optimizer = Adam(parameters: model.parameters, settings: settings.adam)
        let workers = Trainer.dataParallelWorkers(for: model.configuration.architecture, batchSize: settings.batchSize)
        parallelStep = workers > 0 ? DataParallelStep(model: model, workers: workers) : nil
    }

    /// Workers a step is split over: one per BLAS thread for convolutional models, whose
    /// layers do much work between matrix products; 0 (the whole batch at once, on
    /// multi-threaded BLAS) for MLPs, whose steps are a few large products.
    public static func dataParallelWorkers(for architecture: Architecture, batchSize: Int) -> Int {
        guard case .conv = architecture.body else { return 0 }
        return max(1, min(BLAS.threads, batchSize / 8))
    }

    /// Adds a listener; it is called on the training thread for every event.
    public func addListener(_ listener: @escaping (TrainingEvent) -> Void) {
        listeners.append(listener)
    }

    private func emit(_ event: TrainingEvent) {
        for listener in listeners { listener(event) }
    }

    /// A copy of the model as of the last finished step, safe to use on the calling thread.
    public func snapshot() -> VAE {
        stepLock.lock(); defer { stepLock.unlock() }
        return model.copy()
    }

    /// Trains until `settings.epochs` epochs are done (counting those in `history`) or the
    /// control cancels. `afterEpoch` runs once after each epoch is scored, for each save the
    /// control asks for, and, when training is cancelled between epochs' ends, once more before
    /// returning: the place to write checkpoints, and it always sees finite weights. Returns true
    /// when cancelled.
    ///
    /// Throws `TrainingDiverged` when a step's loss or the weights stop being finite or the loss
    /// passes `TrainingDiverged.lossLimit`; `afterEpoch` is then not called again, so the last
    /// checkpoint it wrote stays the last good one. Whatever ends training, listeners hear it:
    /// `.finished`, `.diverged` or `.failed` (an error `afterEpoch` threw).
    @discardableResult
    public func run(afterEpoch: (Trainer) throws -> Void = { _ in }) throws -> Bool {
        do {
            return try train(afterEpoch: afterEpoch)
        } catch let diverged as TrainingDiverged {
            emit(.diverged(diverged))
            throw diverged
        } catch {
            emit(.failed((error as? LocalizedError)?.errorDescription ?? "\(error)"))
            throw error
        }
    }

    private func train(afterEpoch: (Trainer) throws -> Void) throws -> Bool {
        var rng = RandomGenerator(seed: settings.seed &+ 1 &+ UInt64(history.count) &* 0x9E37)
        var batches = ShuffledBatches(dataset: data.train, batchSize: settings.batchSize)
        let firstEpoch = history.count + 1
        let totalImages = Double(max(0, settings.epochs - history.count)) * Double(data.train.count)
        let lossLimit = TrainingDiverged.lossLimit(for: model.configuration.architecture.image)
        var imagesDone = 0.0
        /// Saves through `afterEpoch`, unless an update left a weight that is not finite.
        func save() throws {
            if let name = model.firstNonFiniteParameter {
                throw TrainingDiverged(step: step, reason: "tensor '\(name)' holds NaN or infinite values")
            }
            try afterEpoch(self)
        }
        guard firstEpoch <= settings.epochs else {
            emit(.finished(cancelled: false))
            return false
        }
        for epoch in firstEpoch...settings.epochs {
            batches.shuffle(using: &rng)
            var sums = (reconstruction: 0.0, kl: 0.0, total: 0.0, images: 0)
            var seconds = 0.0
            var beta = control.beta
            var batch = 0
            while batch < batches.batchesPerEpoch {
                switch control.next(onPause: { emit(.paused($0)) }) {
                case .stop:
                    try save()
                    emit(.finished(cancelled: true))
                    return true
                case .save:
                    // A save asked for from another thread; its failure does not stop training.
                    do {
                        try save()
                        emit(.saved(failure: nil))
                    } catch let diverged as TrainingDiverged {
                        throw diverged
                    } catch {
                        emit(.saved(failure: (error as? LocalizedError)?.errorDescription ?? "\(error)"))
                    }
                    continue
                case .step:
                    break
                }
                beta = control.beta
                let started = DispatchTime.now().uptimeNanoseconds
                let (loss, n) = batches.withBatch(batch) { x, n in
                    stepLock.lock(); defer { stepLock.unlock() }
                    model.zeroGradients()
                    let loss = parallelStep?.accumulateGradients(batch: x, batchSize: n, beta: beta, rng: &rng)
                        ?? model.accumulateGradients(batch: x, batchSize: n, beta: beta, rng: &rng)
                    optimizer.update()
                    return (loss, n)
                }
                seconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                step += 1
                batch += 1
                if let diverged = TrainingDiverged.check(loss: loss.total, step: step, limit: lossLimit) {
                    throw diverged
                }
                sums.reconstruction += loss.reconstruction * Double(n)
                sums.kl += loss.kl * Double(n)
                sums.total += loss.total * Double(n)
                sums.images += n
                imagesDone += Double(n)
                let rate = Double(sums.images) / max(seconds, 1e-9)
                emit(.step(StepReport(step: step, epoch: epoch, batch: batch,
                                      batchesPerEpoch: batches.batchesPerEpoch, loss: loss, beta: beta,
                                      imagesPerSecond: rate,
                                      secondsRemaining: (totalImages - imagesDone) / rate)))
            }
            let count = Double(sums.images)
            // Scoring only reads the weights, so snapshot() need not wait for it (the lock
            // guards the updates): a monitor would otherwise freeze for the whole test set.
            // A cancel skips the slow importance-weighted part, so a signal is answered at once.
            let test = Evaluation.run(model: model, on: data.test, importanceSamples: settings.importanceSamples,
                                      seed: settings.seed &+ 1000 &+ UInt64(epoch), shouldStop: { self.control.isCancelled })
            if let diverged = TrainingDiverged.check(loss: test.negativeELBO, step: step, limit: lossLimit) {
                throw TrainingDiverged(step: step, reason: "test " + diverged.reason)
            }
            let record = EpochRecord(
                epoch: epoch, step: step,
                train: LossTerms(reconstruction: sums.reconstruction / count, kl: sums.kl / count,
                                 total: sums.total / count),
                test: test, beta: beta, trainSeconds: seconds, imagesPerSecond: count / max(seconds, 1e-9))
            history.append(record)
            emit(.epoch(record))
            let betaSaved = control.beta
            try save()
            // Cancelled while the test set was scored or the epoch saved: this epoch is saved,
            // and that is all, but for a beta changed while it was saved, which a resumed run
            // must go on with.
            if control.isCancelled {
                if control.beta != betaSaved { try save() }
                emit(.finished(cancelled: true))
                return true
            }
        }
        emit(.finished(cancelled: false))
        return false
    }
}
