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
    func testExplorer_OpensACompanionCheckpoint() throws {
        let data = directory + "/digits.safetensors", run = directory + "/run.safetensors"
        XCTAssertEqual(try self.run(binary, ["export-data", "--data", "synthetic:300", "--out", data]).status, 0)
        let trained = try CompanionPython.run(["-m", "latent_torch.train", "--data", data, "--arch", "mlp2", "--epochs", "1", "--out", run])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        try start("\(binary) explore --model \(run)")
        try waitFor("n nearest")
        try tmux(["send-keys", "-t", "main", "q"])
        try waitFor("EXITED 0")
    }
}
