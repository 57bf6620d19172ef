import XCTest
import VAECore
@testable import TerminalUI

/// `latent watch`'s screen against files written as a trainer writes them: a new checkpoint
/// is followed, a half-written one keeps the last good model, a deleted one is said to be gone.
final class WatchScreenTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "latent-watch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Trains up to `epochs` (of 3 planned) from `history`, writing the checkpoint and its log as
    /// `latent train` does.
    private func train(to epochs: Int, from previous: (VAE, [EpochRecord])? = nil, path: String) throws -> (VAE, [EpochRecord]) {
        let model = previous?.0 ?? VAE(configuration: ModelConfiguration(architecture: .mlp2), seed: 1)
        let data = SyntheticDigits.split(trainCount: 256, seed: 1)
        let trainer = Trainer(model: model, data: data, settings: TrainingSettings(epochs: epochs, batchSize: 64),
                              history: previous?.1 ?? [])
        RunLog.Writer(path: RunLog.path(for: path), interval: 2, batchSize: 64, trainCount: 256, fresh: previous == nil).follow(trainer)
        try trainer.run { trainer in
            var checkpoint = Checkpoint(configuration: model.configuration, training: TrainingSettings(epochs: 3, batchSize: 64),
                                        history: trainer.history, data: "synthetic:256")
            checkpoint.history = trainer.history
            try checkpoint.save(trainer.model, to: path)
        }
        return (model, trainer.history)
    }

    private func settle(_ screen: WatchScreen) {
        for _ in 0..<3 {
            screen.pollSoon()
            screen.update()
            screen.waitForWork()
            screen.update()
        }
    }

    /// `latent watch` reads the run once before the screen opens (for its title and checks); the
    /// screen starts from what the follower has read, as later polls bring only changes.
    func testAFollowerThatHasReadTheRun_IsShownAtOnce() throws {
        let path = directory + "/run.safetensors"
        _ = try train(to: 1, path: path)
        let follower = RunFollower(path: path)
        XCTAssertTrue(follower.poll())
        let screen = WatchScreen(follower: follower, abilities: .init(unicode: true, colors: 256, noColor: false), test: nil)
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30), screens: [screen], title: "test")
        settle(screen)
        let lines = app.frame().lines
        XCTAssertTrue(lines[1].contains("epoch 1/3"), lines[1])
        XCTAssertTrue(lines.contains { $0.contains("total ") }, "the chart from the log:\n" + lines.joined(separator: "\n"))
    }

    func testWatch_FollowsReplacementsKeepsTheLastGoodModelAndSaysWhenTheFileIsGone() throws {
        let path = directory + "/run.safetensors"
        let first = try train(to: 1, path: path)
        let follower = RunFollower(path: path)
        let screen = WatchScreen(follower: follower, abilities: .init(unicode: true, colors: 256, noColor: false), staleSeconds: 0.5,
                                 test: SyntheticDigits.split(trainCount: 256, seed: 1, testOnly: true).test)
        var followed = 0
        screen.onModel = { _ in followed += 1 }
        let terminal = MemoryTerminal(columns: 100, rows: 30)
        let app = ExplorerApp(terminal: terminal, screens: [screen], title: "test")
        settle(screen)
        var lines = app.frame().lines
        XCTAssertTrue(lines[1].contains("epoch 1/3") && lines[1].contains("step 4"), lines[1])
        XCTAssertTrue(lines[2].contains("epoch 1: train"), lines[2])
        XCTAssertTrue(lines.contains { $0.contains("total ") && $0.contains("o test ") }, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.contains("samples from N(0, I)") })
        XCTAssertEqual(followed, 1)

        // The trainer writes the next epoch: a new file renamed over the old one.
        _ = try train(to: 2, from: first, path: path)
        settle(screen)
        lines = app.frame().lines
        XCTAssertTrue(lines[2].contains("epoch 2: train"), lines[2])
        XCTAssertTrue(lines[1].contains("step 8"), lines[1])
        XCTAssertEqual(followed, 2, "the new model is drawn and handed on")

        // A copy that is half-written: the last good model stays, and the line says so.
        let whole = try XCTUnwrap(FileManager.default.contents(atPath: path))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(whole.count / 2))
        try handle.close()
        settle(screen)
        lines = app.frame().lines
        XCTAssertTrue(lines[2].hasPrefix(" showing the last good model: "), lines[2])
        XCTAssertTrue(follower.state.problem?.hasPrefix("showing the last good model: \(path): truncated") == true,
                      follower.state.problem ?? "")
        XCTAssertNotNil(screen.model)
        // Whole again: followed again.
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: whole))
        settle(screen)
        XCTAssertTrue(app.frame().lines[2].contains("epoch 2: train"), app.frame().lines[2])

        // Deleted: said so; and after staleSeconds without a change, so is that.
        try FileManager.default.removeItem(atPath: path)
        Thread.sleep(forTimeInterval: 1.1)
        settle(screen)
        lines = app.frame().lines
        XCTAssertTrue(lines[2].hasPrefix(" showing the last model read: "), lines[2])
        XCTAssertEqual(follower.state.problem, "showing the last model read: \(path) is gone (deleted or renamed)")
        XCTAssertTrue(lines[1].contains("no update for 0:0"), lines[1])
    }

    func testWithoutARunLog_TheChartIsTheCheckpointsEpochs() throws {
        let path = directory + "/run.safetensors"
        _ = try train(to: 2, path: path)
        try FileManager.default.removeItem(atPath: RunLog.path(for: path))
        let screen = WatchScreen(follower: RunFollower(path: path), abilities: .init(unicode: false, colors: 0, noColor: true), test: nil)
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30), screens: [screen], title: "test")
        settle(screen)
        let lines = app.frame().lines
        XCTAssertTrue(lines[1].contains("epoch 2/3"), lines[1])
        XCTAssertTrue(lines.contains { $0.contains("total ") }, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.contains("no test set to show reconstructions") }, lines.joined(separator: "\n"))
    }

    func testAModelOfAnotherSize_AndWildLogNumbers_AreShownWithoutACrash() throws {
        let path = directory + "/run.safetensors"
        _ = try train(to: 1, path: path)
        try Data("{\"step\": 9, \"epoch\": 1, \"images\": 64, \"recon\": 1e300, \"kl\": -1e300, \"total\": 1e300, \"beta\": 1e300, \"images_per_s\": 1e300, \"time\": 1}\n".utf8)
            .write(to: URL(fileURLWithPath: RunLog.path(for: path)))
        let follower = RunFollower(path: path)
        let screen = WatchScreen(follower: follower, abilities: .init(unicode: true, colors: 256, noColor: false),
                                 test: SyntheticDigits.split(trainCount: 256, seed: 1, testOnly: true).test)
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30), screens: [screen], title: "test")
        settle(screen)
        XCTAssertTrue(app.frame().lines[1].contains("step 9") && !app.frame().lines[1].contains("img/s"), app.frame().lines[1])
        XCTAssertEqual(follower.state.entries.count, 1)
        // The run restarts with a 16x16 model over the same file.
        let small = VAE(configuration: ModelConfiguration(architecture: try Architecture(parsing: "mlp(hidden:[8],latent:2,image:1x16x16)")), seed: 2)
        try Checkpoint(configuration: small.configuration, training: TrainingSettings(epochs: 3)).save(small, to: path)
        settle(screen)
        let lines = app.frame().lines
        XCTAssertTrue(lines.contains { $0.contains("the newest model takes 16x16 images, the test set is 28x28") },
                      lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.contains("samples from N(0, I)") }, "its samples still show")
    }
}
