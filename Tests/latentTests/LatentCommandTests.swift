import Foundation
import XCTest
import VAECore

/// Runs the built `latent` binary the way a user does and checks stdout, stderr and the exit
/// status. Shared helpers for the command test classes; it holds no tests itself.
class CommandTestCase: XCTestCase {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: URL {
        // The test bundle sits beside the products: .build/<config>/latentPackageTests.xctest
        Bundle.main.bundleURL.appendingPathComponent("latent")
    }

    /// Runs the built binary to its end. With `interruptAfterLine`, sends `signal` once that
    /// text has shown on stdout, `signalDelay` seconds later; `launcher` goes before the binary (a shell that sets limits,
    /// say: `["/bin/sh", "-c", "ulimit -f 16; exec \"$@\"", "sh"]`); `setting` adds to its
    /// environment.
    @discardableResult
    func latent(_ arguments: [String], interruptAfterLine: String? = nil, signal: Int32 = SIGINT, signalDelay: Double = 0,
                launcher: [String] = [], binary: URL = binary, in directory: String? = nil,
                setting: [String: String] = [:]) throws -> Result {
        let process = Process()
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // Image folders are cached in this test's own folder, never the user's.
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_CACHE_HOME"] = try cacheHome()
        environment.merge(setting) { $1 }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var stdout = Data()
        if let marker = interruptAfterLine {
            // Read until the marker appears, then send the signal.
            while let chunk = try out.fileHandleForReading.read(upToCount: 1), !chunk.isEmpty {
                stdout += chunk
                if String(decoding: stdout, as: UTF8.self).contains(marker) { break }
            }
            Thread.sleep(forTimeInterval: signalDelay)
            kill(process.processIdentifier, signal)
        }
        stdout += out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Bad input: exit status 2 and exactly one line on stderr that contains `fragment`.
    func assertBadInput(_ arguments: [String], _ fragment: String, setting: [String: String] = [:],
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try latent(arguments, setting: setting)
        XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)", file: file, line: line)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line, got: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains(fragment), "'\(result.stderr)' lacks '\(fragment)'", file: file, line: line)
    }

    private var cache: String?

    /// The `XDG_CACHE_HOME` the binary runs with in this test: a folder of its own.
    func cacheHome() throws -> String {
        if let cache { return cache }
        cache = try temporaryDirectory()
        return cache!
    }

    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "latent-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    let tinyArch = "mlp(hidden:[32],latent:2)"

    /// Trains `arch` on 256 synthetic digits for one epoch into `path`: the model most binary
    /// tests start from. Returns `path`.
    @discardableResult
    func trainSmallModel(_ path: String, arch: String = "mlp2", file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let trained = try latent(["train", "--data", "synthetic:256", "--arch", arch, "--epochs", "1", "--out", path])
        XCTAssertEqual(trained.status, 0, trained.stderr, file: file, line: line)
        return path
    }
}

/// The train, bench and info commands.
final class LatentCommandTests: CommandTestCase {

    func testTrain_BadArguments_ExitTwoWithOneLine() throws {
        let dir = try temporaryDirectory()
        let out = dir + "/m.safetensors"
        try assertBadInput(["train", "--data", "synthetic:64", "--epochs", "0", "--out", out], "--epochs must be from 1 to 1000000, got 0")
        try assertBadInput(["train", "--data", "synthetic:64", "--epochs", "1", "--beta", "-1", "--out", out], "--beta must be a non-negative")
        try assertBadInput(["train", "--data", "synthetic:64", "--epochs", "1", "--arch", "resnet", "--out", out], "architecture 'resnet'")
        try assertBadInput(["train", "--data", dir + "/nothing", "--epochs", "1", "--out", out], "no such directory")
        try assertBadInput(["train", "--data", "synthetic:64", "--epochs", "1", "--out", dir + "/missing/m.safetensors"], "does not exist")
        try assertBadInput(["train", "--data", "synthetic:64", "--epochs", "1", "--out", dir + "/grid.png"],
                           "grid.png: a checkpoint is a .safetensors file; name it so")
        try assertBadInput(["train", "--data", "synthetic:64", "--epochs", "1", "--recon", "l1", "--out", out], "l1")
        try assertBadInput(["train", "--epochs", "1"], "--out is required")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written on bad input")
    }

    func testTrain_DataProblems_NameTheFile() throws {
        let dir = try temporaryDirectory()
        // 32x32 images for a 28x28 architecture.
        let idx = dir + "/idx32"
        try FileManager.default.createDirectory(atPath: idx, withIntermediateDirectories: true)
        for split in ["train", "t10k"] {
            _ = FileManager.default.createFile(atPath: "\(idx)/\(split)-images-idx3-ubyte",
                                           contents: Data(IDX.encode(dimensions: [2, 32, 32], values: Array(repeating: 9, count: 2048))))
        }
        try assertBadInput(["train", "--data", idx, "--arch", "mlp20", "--epochs", "1", "--out", dir + "/m.safetensors"],
                           "has 32x32 images; architecture mlp20 takes 28x28")
        // A truncated IDX file.
        _ = FileManager.default.createFile(atPath: "\(idx)/train-images-idx3-ubyte",
                                       contents: Data(IDX.encode(dimensions: [2, 32, 32], values: Array(repeating: 9, count: 2048)).dropLast(100)))
        try assertBadInput(["train", "--data", idx, "--epochs", "1", "--out", dir + "/m.safetensors"],
                           "\(idx)/train-images-idx3-ubyte: truncated")
    }

    func testTrain_WritesALoadableCheckpointAndOneJSONLinePerEpoch() throws {
        let dir = try temporaryDirectory()
        let out = dir + "/m.safetensors"
        let result = try latent(["train", "--data", "synthetic:256", "--arch", tinyArch, "--epochs", "2", "--batch", "64",
                                 "--json", "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        for key in ["epoch", "step", "train_loss", "train_recon", "train_kl", "test_loss", "images_per_s", "beta"] {
            XCTAssertNotNil(first[key], key)
        }
        XCTAssertEqual(first["step"] as? Int, 4)
        let (model, checkpoint) = try Checkpoint.load(path: out)
        XCTAssertEqual(checkpoint.history.count, 2)
        XCTAssertEqual(checkpoint.training?.epochs, 2)
        XCTAssertEqual(checkpoint.data, "synthetic:256")
        XCTAssertEqual(model.configuration.architecture.name, tinyArch)
    }

    func testTrain_PlainLines_SayWhatWasSaved() throws {
        let dir = try temporaryDirectory()
        let result = try latent(["train", "--data", "synthetic:128", "--arch", tinyArch, "--epochs", "1", "--kind", "ae",
                                 "--out", dir + "/ae.safetensors"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("epoch 1/1  train "), result.stdout)
        XCTAssertTrue(result.stdout.contains("KL 0.00"), result.stdout)
        XCTAssertTrue(result.stdout.contains("saved \(dir)/ae.safetensors"), result.stdout)
    }

    func testTrain_CtrlC_SavesBeforeExiting() throws {
        let dir = try temporaryDirectory()
        let out = dir + "/m.safetensors"
        let result = try latent(["train", "--data", "synthetic:512", "--arch", tinyArch, "--epochs", "100000",
                                 "--batch", "64", "--out", out], interruptAfterLine: "epoch 1/")
        XCTAssertEqual(result.status, 130, result.stderr)
        XCTAssertTrue(result.stderr.contains("interrupted at step"), result.stderr)
        let (_, checkpoint) = try Checkpoint.load(path: out)
        XCTAssertGreaterThanOrEqual(checkpoint.history.count, 1)
    }

    func testTrain_Resume_ContinuesAndRefusesAnotherArchitecture() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/m.safetensors"
        XCTAssertEqual(try latent(["train", "--data", "synthetic:128", "--arch", tinyArch, "--epochs", "1", "--out", path]).status, 0)
        let before = try XCTUnwrap(FileManager.default.contents(atPath: path))
        try assertBadInput(["train", "--data", "synthetic:128", "--resume", path, "--arch", "mlp20", "--epochs", "2"],
                           "\(path): the checkpoint is \(tinyArch), not mlp20")
        try assertBadInput(["train", "--data", "synthetic:128", "--resume", path, "--epochs", "1"], "already trained for 1 epoch;")
        XCTAssertEqual(FileManager.default.contents(atPath: path), before, "a refused command leaves the checkpoint as it was")
        let resumed = try latent(["train", "--resume", path, "--epochs", "2"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.hasPrefix("epoch 2/2"), resumed.stdout)
        let (_, checkpoint) = try Checkpoint.load(path: path)
        XCTAssertEqual(checkpoint.history.map(\.epoch), [1, 2])
        XCTAssertEqual(checkpoint.history[1].step, 2 * checkpoint.history[0].step)
    }

    func testTrain_Resume_KeepsTheCheckpointsSettingsAndSaysWhichFlagsChangeThem() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/beta4.safetensors"
        let first = try latent(["train", "--data", "synthetic:128", "--arch", tinyArch, "--epochs", "1", "--beta", "4",
                                "--batch", "32", "--seed", "9", "--out", path])
        XCTAssertEqual(first.status, 0, first.stderr)
        // No flags: the run goes on at beta 4, batch 32, seed 9, and says nothing about it.
        let same = try latent(["train", "--resume", path, "--epochs", "2"])
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssertEqual(same.stderr, "")
        var (_, checkpoint) = try Checkpoint.load(path: path)
        XCTAssertEqual(checkpoint.history.map(\.beta), [4, 4])
        XCTAssertEqual(checkpoint.training?.batchSize, 32)
        XCTAssertEqual(checkpoint.training?.seed, 9)
        // A flag overrides, and the run names what it changed.
        let changed = try latent(["train", "--resume", path, "--epochs", "3", "--lr", "0.0005", "--beta", "4"])
        XCTAssertEqual(changed.status, 0, changed.stderr)
        XCTAssertEqual(changed.stderr, "resuming \(path) after epoch 2 with --lr 0.0005 instead of 0.001\n")
        (_, checkpoint) = try Checkpoint.load(path: path)
        XCTAssertEqual(checkpoint.training?.adam.learningRate, 0.0005)
        XCTAssertEqual(checkpoint.training?.beta, 4)
        XCTAssertEqual(checkpoint.history.count, 3)
    }

    func testTrain_Resume_ACorruptCheckpointIsNamed() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/broken.safetensors"
        _ = FileManager.default.createFile(atPath: path, contents: Data([100, 0, 0, 0, 0, 0, 0, 0, 0x7B]))
        try assertBadInput(["train", "--data", "synthetic:128", "--resume", path, "--epochs", "2"], "\(path): truncated")
        try assertBadInput(["train", "--data", "synthetic:128", "--resume", dir + "/none.safetensors", "--epochs", "2"],
                           "none.safetensors: no such file")
    }

    func testBench_PrintsThePeerFields() throws {
        let result = try latent(["bench", "--model", "mlp2", "--epochs", "1", "--data", "synthetic:256"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        for key in ["peer", "version", "model", "epoch", "train_seconds", "images_per_s", "train_loss", "test_loss"] {
            XCTAssertNotNil(object[key], key)
        }
        XCTAssertEqual(object["peer"] as? String, "latent")
        try assertBadInput(["bench", "--model", "vgg", "--epochs", "1"], "--model 'vgg'")
        try assertBadInput(["bench", "--model", "mlp2"], "--epochs is needed to train")
    }

    func testBench_LayersAndFramesTimeWithoutTraining() throws {
        let result = try latent(["bench", "--model", "mlp2", "--layers", "--frames", "--repetitions", "2", "--batch", "8"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let objects = try result.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let layers = objects.filter { $0["layer"] != nil }
        XCTAssertEqual(layers.map { $0["layer"] as? String }, ["Linear fc1", "ReLU", "Linear fc3", "ReLU", "Linear fc4"])
        let total = try XCTUnwrap(objects.first { $0["part"] as? String == "total" })
        XCTAssertEqual(total["batch"] as? Int, 8)
        XCTAssertEqual(objects.filter { $0["size"] != nil }.map { $0["size"] as? String }, ["100x30", "200x60"])
        XCTAssertEqual(objects.last?["monitor_refresh_images"] as? Int, 1000)
        try assertBadInput(["bench", "--model", "mlp2", "--frames", "--epochs", "1"], "drop one")
    }

    func testInfo_NamesTheBLASKernels() throws {
        let result = try latent(["info"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("blas:"), result.stdout)
        XCTAssertTrue(result.stdout.contains("kernels"), result.stdout)
        let forced = try latent(["info", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(forced.stdout.utf8)) as! [String: Any]
        XCTAssertNotNil((object["machine"] as? [String: Any])?["blas"])
        XCTAssertNotNil((object["machine"] as? [String: Any])?["cpu_count"], "snake case, as the other commands' JSON")
    }
}
