import Foundation
import XCTest
import VAECore

/// The Python companion end to end with the built binary: latent's data through
/// `export-data`, a two-process DDP run (gloo), and its checkpoint in every latent command;
/// checkpoints moving both ways between the two trainers.
final class CompanionTests: CommandTestCase {
    func testADDPRun_WritesACheckpointLatentOpens_AndTheyResumeEachOther() throws {
        let dir = try temporaryDirectory()
        let exported = try latent(["export-data", "--data", "synthetic:600", "--out", dir + "/digits.safetensors"])
        XCTAssertEqual(exported.status, 0, exported.stderr)
        XCTAssertTrue(exported.stdout.hasPrefix("wrote \(dir)/digits.safetensors: 600 training and 100 test images of 28x28"), exported.stdout)

        let run = dir + "/run.safetensors"
        let ddp = try CompanionPython.run(["-m", "latent_torch.train", "--data", dir + "/digits.safetensors", "--arch", "mlp2",
                                           "--epochs", "2", "--nproc", "2", "--batch", "64", "--log-every", "2", "--out", run])
        XCTAssertEqual(ddp.status, 0, ddp.stderr)
        XCTAssertTrue(ddp.stdout.contains("epoch 2/2  train "), ddp.stdout)
        print("companion --nproc 2:\n\(ddp.stdout)")
        // The run log: step lines every 2 steps and an epoch line after each test.
        let log = try String(contentsOfFile: dir + "/run.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(log.filter { $0.contains("\"epoch_end\"") }.count, 2)
        XCTAssertGreaterThanOrEqual(log.filter { $0.hasPrefix("{\"step\"") }.count, 8, "10 steps an epoch, a line every 2")

        let (_, checkpoint) = try Checkpoint.load(path: run)
        XCTAssertEqual(checkpoint.configuration.architecture, .mlp2)
        XCTAssertEqual(checkpoint.history.count, 2)
        XCTAssertEqual(checkpoint.data, "synthetic:600", "the exported set's own spec, which latent reads")
        XCTAssertEqual(checkpoint.training?.batchSize, 64)
        for command in [["info"], ["eval"], ["sample", "--out", dir + "/s.png"]] {
            let result = try latent(command + ["--model", run])
            XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)")
        }
        // latent goes on with the companion's checkpoint, and the companion with latent's.
        let resumed = try latent(["train", "--resume", run, "--epochs", "3", "--json"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let back = try CompanionPython.run(["-m", "latent_torch.train", "--resume", run, "--data", dir + "/digits.safetensors",
                                            "--epochs", "4"])
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertEqual(try Checkpoint.load(path: run).1.history.map(\.epoch), [1, 2, 3, 4])
    }

    func testCompanionRefusals_AreOneLine() throws {
        let dir = try temporaryDirectory()
        let zero = try CompanionPython.run(["-m", "latent_torch.train", "--nproc", "0", "--epochs", "1", "--out", dir + "/m.safetensors"])
        XCTAssertEqual(zero.status, 2)
        XCTAssertEqual(zero.stderr, "latent_torch.train: --nproc must be at least 1, got 0\n")
        let model = try trainSmallModel(dir + "/m.safetensors")
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: model))
        bytes.removeLast(bytes.count / 3)
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/cut.safetensors", contents: bytes))
        let cut = try CompanionPython.run(["-m", "latent_torch.train", "--resume", dir + "/cut.safetensors", "--epochs", "2"])
        XCTAssertEqual(cut.status, 2)
        XCTAssertEqual(cut.stderr.split(separator: "\n").count, 1, cut.stderr)
        XCTAssertTrue(cut.stderr.contains("\(dir)/cut.safetensors: "), cut.stderr)
    }
}

extension ExplorerTmuxTests {
    /// `images` synthetic digits exported for the companion, and mlp2 trained on them by it for
    /// one epoch, in the test's folder.
    private func companionRun(images: Int, file: StaticString = #filePath, line: UInt = #line) throws -> (data: String, run: String) {
        let data = directory + "/digits.safetensors", run = directory + "/run.safetensors"
        XCTAssertEqual(try self.run(binary, ["export-data", "--data", "synthetic:\(images)", "--out", data]).status, 0,
                       file: file, line: line)
        let trained = try CompanionPython.run(["-m", "latent_torch.train", "--data", data, "--arch", "mlp2", "--epochs", "1", "--out", run])
        XCTAssertEqual(trained.status, 0, trained.stderr, file: file, line: line)
        return (data, run)
    }

    func testExplorer_OpensACompanionCheckpoint() throws {
        let (_, run) = try companionRun(images: 300)
        try start("\(binary) explore --model \(run)")
        try waitFor("n nearest")
        try tmux(["send-keys", "-t", "main", "q"])
        try waitFor("EXITED 0")
    }

    /// latent watch under tmux while the companion trains in the background: each epoch's new
    /// checkpoint replaces the last, and the screen follows it to the end.
    func testWatch_FollowsACompanionRunToItsEnd() throws {
        // The first epoch first, so that there is a checkpoint to watch; then four more.
        let (data, run) = try companionRun(images: 3000)
        try start("\(binary) watch \(run)")
        try waitFor("epoch 1: train")
        let trained = try CompanionPython.run(["-m", "latent_torch.train", "--resume", run, "--data", data, "--epochs", "5",
                                               "--log-every", "5"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let screen = try waitFor("epoch 5: train", "epoch 5/5", "finished", "samples from N(0, I)")
        print("latent watch following a companion run:\n\(screen)")
        try tmux(["send-keys", "-t", "main", "Tab"])
        try waitFor("decoded at the cursor")
        try tmux(["send-keys", "-t", "main", "q"])
        try waitFor("EXITED 0")
    }
}

/// `latent watch` without a terminal, and its refusals.
final class WatchCommandTests: CommandTestCase {
    func testOnce_PrintsTheLastEpoch_AndRefusalsAreOneLine() throws {
        let dir = try temporaryDirectory()
        let model = try trainSmallModel(dir + "/m.safetensors")
        let once = try latent(["watch", model, "--once"])
        XCTAssertEqual(once.status, 0, once.stderr)
        XCTAssertTrue(once.stdout.hasPrefix("epoch 1/1  train "), once.stdout)
        let json = try latent(["watch", model, "--once", "--json"])
        XCTAssertTrue(json.stdout.hasPrefix("{\"epoch\": 1"), json.stdout)
        try assertBadInput(["watch", model], "latent watch needs an interactive terminal; --once prints the last epoch without one")
        try assertBadInput(["watch", dir + "/none.safetensors"], "\(dir)/none.safetensors: no such file; start the run first")
        try assertBadInput(["watch", model, "--stale", "0"], "--stale must be a positive number of seconds")
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/bad.safetensors", contents: Data("not a checkpoint".utf8)))
        try assertBadInput(["watch", dir + "/bad.safetensors", "--once"], "\(dir)/bad.safetensors: ")
        // The run log beside the checkpoint, a step line every 10 steps and an epoch line.
        let log = try String(contentsOfFile: dir + "/m.jsonl", encoding: .utf8)
        XCTAssertTrue(log.hasPrefix("{\"step\": "), log)
        XCTAssertTrue(log.contains("{\"epoch_end\": 1, \"step\": 2, "), log)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/n.jsonl"))
        XCTAssertEqual(try latent(["train", "--data", "synthetic:64", "--arch", "mlp2", "--epochs", "1", "--no-log",
                                   "--out", dir + "/n.safetensors"]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/n.jsonl"), "--no-log writes none")
        // Another run's log is not emptied without --force; --force --no-log removes it.
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/o.jsonl", contents: Data("{\"my\": \"notes\"}\n".utf8)))
        try assertBadInput(["train", "--data", "synthetic:64", "--arch", "mlp2", "--epochs", "1", "--out", dir + "/o.safetensors"],
                           "\(dir)/o.jsonl: already exists (another run's log?); replace it with --force, or train with --no-log")
        XCTAssertEqual(try latent(["train", "--data", "synthetic:64", "--arch", "mlp2", "--epochs", "1", "--force", "--no-log",
                                   "--out", dir + "/o.safetensors"]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/o.jsonl"))
        try assertBadInput(["export-data", "--data", "synthetic:10", "--size", "14", "--out", dir + "/x.safetensors"],
                           "--size applies to image folders and sprites")
    }
}
