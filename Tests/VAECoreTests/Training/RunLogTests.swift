import XCTest
@testable import VAECore

final class RunLogTests: XCTestCase {
    func testRead_SkipsATornLastLineAndForeignLines_AndKeepsNulls() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/run.jsonl"
        let text = """
            {"step": 10, "epoch": 1, "images": 640, "recon": 200.5, "kl": 5, "total": 205.5, "beta": 1, "images_per_s": 1000, "time": 1.5}
            not json
            ["a list"]
            {"epoch_end": 1, "step": 10, "train_loss": null, "test_loss": 201.25, "time": 2}
            {"step": 20, "epoch": 2, "ima
            """
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        let entries = RunLog.read(path: path)
        XCTAssertEqual(entries.count, 2)
        guard case .step(let step) = entries[0], case .epoch(let epoch) = entries[1] else { return XCTFail("\(entries)") }
        XCTAssertEqual(step.step, 10)
        XCTAssertEqual(step.total, 205.5)
        XCTAssertEqual(epoch.testLoss, 201.25)
        XCTAssertTrue(epoch.trainLoss.isNaN, "null reads as NaN")
        XCTAssertEqual(RunLog.read(path: dir + "/none.jsonl"), [])
        XCTAssertEqual(RunLog.path(for: "/a/b/run.safetensors"), "/a/b/run.jsonl")
        // A log read from its end starts at the first whole line after the cut.
        XCTAssertEqual(RunLog.read(path: path, maximumBytes: 120).count, 1)
    }

    func testFIFOs_AndFarFutureTimes_NeitherHangNorCrash() throws {
        let dir = try temporaryDirectory(self)
        let fifo = dir + "/run.jsonl"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertEqual(RunLog.read(path: fifo), [], "not opened: it would block")
        let writer = RunLog.Writer(path: fifo, batchSize: 4, trainCount: 8, fresh: false)
        writer.epoch(EpochRecord(epoch: 1, step: 2, train: LossTerms(reconstruction: 1, kl: 1, total: 2),
                                 test: EvaluationResult(count: 1, reconstruction: 1, kl: 1), beta: 1, trainSeconds: 1, imagesPerSecond: 1))
        // A checkpoint dated in 2300: its time in nanoseconds would not fit an Int64.
        let model = VAE(configuration: ModelConfiguration(architecture: .mlp2), seed: 1)
        let path = dir + "/run.safetensors"
        try Checkpoint(configuration: model.configuration).save(model, to: path)
        var times = [timespec(tv_sec: 10_413_792_000, tv_nsec: 0), timespec(tv_sec: 10_413_792_000, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        let follower = RunFollower(path: path)
        XCTAssertTrue(follower.poll())
        XCTAssertNotNil(follower.state.model)
        XCTAssertGreaterThan(follower.state.lastChange?.timeIntervalSince1970 ?? 0, 1e10)
    }
}
