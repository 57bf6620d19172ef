import Foundation
import XCTest
@testable import VAECore

final class TrainerTests: XCTestCase {
    let small = Architecture(body: .mlp(hidden: [64]), latent: 2)

    private func run(seed: UInt64, epochs: Int = 2, data: DataSplit) throws -> (Trainer, [StepReport]) {
        let model = VAE(configuration: ModelConfiguration(architecture: small), seed: seed)
        let trainer = Trainer(model: model, data: data, settings: TrainingSettings(epochs: epochs, batchSize: 32, seed: seed))
        var steps: [StepReport] = []
        trainer.addListener { event in
            if case .step(let report) = event { steps.append(report) }
        }
        try trainer.run()
        return (trainer, steps)
    }

    func testShortRunOnSyntheticData_LowersTheLoss() throws {
        let data = SyntheticDigits.split(trainCount: 960, seed: 1)
        let (trainer, steps) = try run(seed: 1, epochs: 3, data: data)
        XCTAssertEqual(steps.count, 90)
        XCTAssertEqual(trainer.history.count, 3)
        let first = steps.prefix(5).map(\.loss.total).reduce(0, +) / 5
        let last = steps.suffix(5).map(\.loss.total).reduce(0, +) / 5
        XCTAssertLessThan(last, first * 0.8, "loss \(first) -> \(last)")
        XCTAssertLessThan(trainer.history[2].test.negativeELBO, trainer.history[0].test.negativeELBO)
        for step in steps {
            XCTAssertEqual(step.loss.total, step.loss.reconstruction + step.loss.kl, accuracy: 1e-6)
            XCTAssertGreaterThan(step.loss.kl, 0)
            XCTAssertGreaterThan(step.imagesPerSecond, 0)
        }
        XCTAssertEqual(steps.last!.secondsRemaining, 0, accuracy: 1e-9)
    }

    func testSameSeed_GivesTheSameLossesStepForStep() throws {
        let data = SyntheticDigits.split(trainCount: 320, seed: 2)
        let (_, a) = try run(seed: 5, data: data)
        let (_, b) = try run(seed: 5, data: data)
        let (_, c) = try run(seed: 6, data: data)
        XCTAssertEqual(a.map(\.loss), b.map(\.loss))
        XCTAssertNotEqual(a.map(\.loss), c.map(\.loss))
    }

    func testConvolutionalTraining_IsDeterministicToo() throws {
        let conv = Architecture(body: .conv(filters: [8, 8], dense: 8), latent: 2)
        let data = SyntheticDigits.split(trainCount: 96, seed: 5)
        func losses() throws -> [LossTerms] {
            let trainer = Trainer(model: VAE(configuration: ModelConfiguration(architecture: conv), seed: 2), data: data,
                                  settings: TrainingSettings(epochs: 1, batchSize: 32, seed: 2))
            var seen: [LossTerms] = []
            trainer.addListener { if case .step(let report) = $0 { seen.append(report.loss) } }
            try trainer.run()
            return seen
        }
        let first = try losses()
        XCTAssertEqual(first.count, 3)
        XCTAssertEqual(first, try losses())
    }

    func testControl_PausesChangesBetaAndCancelsFromAnotherThread() throws {
        let data = SyntheticDigits.split(trainCount: 640, seed: 3)
        let model = VAE(configuration: ModelConfiguration(architecture: small), seed: 1)
        let trainer = Trainer(model: model, data: data, settings: TrainingSettings(epochs: 50, batchSize: 32))
        let lock = NSLock()
        var events: [TrainingEvent] = []
        trainer.addListener { event in
            lock.withLock { events.append(event) }
            if case .step(let report) = event, report.step == 3 {
                trainer.control.pause()
                // Steer from another thread while the trainer waits.
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) {
                    trainer.control.beta = 4
                    trainer.control.resume()
                }
            }
            if case .step(let report) = event, report.step == 8 {
                // Held at step 8 until the other thread's cancel, however late it runs.
                trainer.control.pause()
                DispatchQueue.global().async { trainer.control.cancel() }
            }
        }
        var saves = 0
        let cancelled = try trainer.run { _ in saves += 1 }
        XCTAssertTrue(cancelled)
        XCTAssertEqual(saves, 1, "cancelling saves once")
        let recorded = lock.withLock { events }
        let steps = recorded.compactMap { event -> StepReport? in if case .step(let r) = event { return r }; return nil }
        XCTAssertEqual(steps.count, 8, "a cancel while paused ends training at once")
        XCTAssertEqual(steps[2].beta, 1)
        XCTAssertEqual(steps[3].beta, 4)
        XCTAssertTrue(recorded.contains { if case .paused(true) = $0 { return true }; return false })
        guard case .finished(cancelled: true) = recorded.last! else { return XCTFail("last event \(recorded.last!)") }
    }

    func testEvaluation_ReportsELBOAndImportanceWeightedBound() throws {
        let data = SyntheticDigits.split(trainCount: 320, seed: 4)
        let (trainer, _) = try run(seed: 2, epochs: 1, data: data)
        let result = Evaluation.run(model: trainer.model, on: data.test, importanceSamples: 20, seed: 1)
        XCTAssertEqual(result.count, data.test.count)
        XCTAssertEqual(result.negativeELBO, result.reconstruction + result.kl, accuracy: 1e-9)
        let bound = try XCTUnwrap(result.importanceWeightedBound)
        XCTAssertLessThan(bound, result.negativeELBO)
        XCTAssertGreaterThan(bound, result.negativeELBO - 20)
    }

    /// Trains `kind` with learning rate `lr` until it diverges; returns the error and the saves.
    private func diverging(kind: ModelKind, lr: Float) throws -> (TrainingDiverged, saves: [Int], events: [TrainingEvent]) {
        let data = SyntheticDigits.split(trainCount: 320, seed: 8)
        let model = VAE(configuration: ModelConfiguration(architecture: small, kind: kind), seed: 3)
        let trainer = Trainer(model: model, data: data,
                              settings: TrainingSettings(epochs: 20, batchSize: 32, adam: Adam.Settings(learningRate: lr)))
        var events: [TrainingEvent] = []
        trainer.addListener { events.append($0) }
        var saves: [Int] = []
        do {
            try trainer.run { trainer in
                XCTAssertNil(trainer.model.firstNonFiniteParameter, "a save sees finite weights")
                saves.append(trainer.history.count)
            }
        } catch let diverged as TrainingDiverged {
            return (diverged, saves, events)
        }
        XCTFail("training with lr \(lr) did not diverge")
        throw XCTSkip("no divergence")
    }

    func testDivergence_NaNStopsTrainingAndNothingMoreIsSaved() throws {
        let (diverged, saves, events) = try diverging(kind: .vae, lr: 1e30)
        XCTAssertTrue(diverged.reason.hasPrefix("loss NaN") || diverged.reason.contains("holds NaN or infinite values")
                      || diverged.reason.hasPrefix("loss infinite"), diverged.reason)
        XCTAssertLessThan(diverged.step, 10, "found within a few steps")
        XCTAssertEqual(saves, [], "the diverged epoch is never saved")
        guard case .diverged = events.last! else { return XCTFail("last event \(events.last!)") }
        XCTAssertEqual(diverged.description, "training diverged at step \(diverged.step) (\(diverged.reason))")
    }

    func testDivergence_AnAutoencoderExplodingWithoutNaNIsCaughtByTheLimit() throws {
        let (diverged, saves, _) = try diverging(kind: .ae, lr: 10)
        XCTAssertTrue(diverged.reason.contains("above the limit of 54343"), diverged.reason)
        XCTAssertEqual(saves, [])
    }

    func testDivergenceRule_Bounds() {
        XCTAssertEqual(TrainingDiverged.lossLimit(for: .mnist), 100 * 784 * log(2), accuracy: 1e-9)
        let limit = TrainingDiverged.lossLimit(for: .mnist)
        XCTAssertNil(TrainingDiverged.check(loss: 543, step: 1, limit: limit))
        XCTAssertNil(TrainingDiverged.check(loss: limit, step: 1, limit: limit))
        XCTAssertEqual(TrainingDiverged.check(loss: .nan, step: 7, limit: limit)?.reason, "loss NaN")
        XCTAssertEqual(TrainingDiverged.check(loss: -.infinity, step: 7, limit: limit)?.reason, "loss infinite")
        XCTAssertEqual(TrainingDiverged.check(loss: 1.5e11, step: 7, limit: limit)?.reason, "loss 1.5e+11 nats, above the limit of 54343")
    }

    func testCancelDuringTheTestPass_KeepsThatEpochAndSavesOnce() throws {
        let data = SyntheticDigits.split(trainCount: 64, seed: 9)
        let model = VAE(configuration: ModelConfiguration(architecture: small), seed: 1)
        let trainer = Trainer(model: model, data: data, settings: TrainingSettings(epochs: 5, batchSize: 64))
        // The last step of epoch 2 cancels, so the request lands while its test set is scored.
        trainer.addListener { event in
            if case .step(let report) = event, report.epoch == 2, report.batch == report.batchesPerEpoch {
                trainer.control.cancel()
            }
        }
        var saved: [Int] = []
        let cancelled = try trainer.run { saved.append($0.history.count) }
        XCTAssertTrue(cancelled)
        XCTAssertEqual(saved, [1, 2], "epoch 2 is scored and saved, once")
        XCTAssertEqual(trainer.history.count, 2)
    }

    func testAFailedSave_EndsTrainingWithAFailedEvent() throws {
        let trainer = Trainer(model: VAE(configuration: ModelConfiguration(architecture: small), seed: 1),
                              data: SyntheticDigits.split(trainCount: 64, seed: 9), settings: TrainingSettings(epochs: 3, batchSize: 64))
        var events: [TrainingEvent] = []
        trainer.addListener { events.append($0) }
        struct DiskFull: Error, LocalizedError { var errorDescription: String? { "m.safetensors: cannot write: No space left on device" } }
        XCTAssertThrowsError(try trainer.run { _ in throw DiskFull() })
        guard case .failed(let message) = events.last! else { return XCTFail("last event \(events.last!)") }
        XCTAssertEqual(message, "m.safetensors: cannot write: No space left on device", "a monitor hears why training ended")
    }

    func testACancelWhileTheBoundIsScored_SkipsTheBoundAndKeepsTheEpoch() throws {
        let data = SyntheticDigits.split(trainCount: 500, seed: 9)
        let trainer = Trainer(model: VAE(configuration: ModelConfiguration(architecture: small), seed: 1), data: data,
                              settings: TrainingSettings(epochs: 3, batchSize: 500, importanceSamples: 5000))
        // The epoch's only step cancels: the request is there before the bound's first chunk.
        trainer.addListener { event in
            if case .step = event { trainer.control.cancel() }
        }
        let cancelled = try trainer.run()
        XCTAssertTrue(cancelled)
        XCTAssertEqual(trainer.history.count, 1, "the epoch is kept")
        XCTAssertNil(trainer.history[0].test.importanceWeightedBound, "5000 samples per image were not waited for")
        XCTAssertEqual(trainer.history[0].test.count, data.test.count, "the one-sample ELBO is scored")
    }

    func testASaveRequest_IsDoneBetweenStepsEvenWhilePaused() throws {
        let trainer = Trainer(model: VAE(configuration: ModelConfiguration(architecture: small), seed: 1),
                              data: SyntheticDigits.split(trainCount: 640, seed: 3), settings: TrainingSettings(epochs: 1, batchSize: 32))
        let lock = NSLock()
        var events: [TrainingEvent] = []
        trainer.addListener { event in
            lock.withLock { events.append(event) }
            if case .step(let report) = event, report.step == 2 {
                trainer.control.pause()
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { trainer.control.requestSave() }
            }
            if case .saved = event {
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { trainer.control.resume() }
            }
        }
        var savedAtSteps: [Int] = []
        try trainer.run { savedAtSteps.append($0.step) }
        XCTAssertEqual(savedAtSteps, [2, 20], "saved while paused after step 2, then at the epoch's end")
        let recorded = lock.withLock { events }
        let pauses = recorded.compactMap { event -> Bool? in if case .paused(let paused) = event { return paused }; return nil }
        XCTAssertEqual(pauses, [true, false], "one pause, reported once, around the save")
    }
}
