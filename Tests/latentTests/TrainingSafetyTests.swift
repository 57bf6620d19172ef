import CPosix
import Foundation
import XCTest
import VAECore

/// A model left training is never lost: diverging runs keep the last good checkpoint, signals
/// save before the exit, and a kill at any moment leaves a whole file or none.
final class TrainingSafetyTests: CommandTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try temporaryDirectory()
    }

    private func assertOneLine(_ result: Result, status: Int32, _ expected: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, status, result.stderr, file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains(expected), "'\(result.stderr)' lacks '\(expected)'", file: file, line: line)
    }

    func testDivergingRun_KeepsTheLastGoodCheckpoint() throws {
        let model = dir + "/good.safetensors"
        try trainSmallModel(model, arch: tinyArch)
        let before = try XCTUnwrap(FileManager.default.contents(atPath: model))
        // A learning rate of 1e30 turns the weights into NaN within a step or two.
        let nan = try latent(["train", "--resume", model, "--epochs", "4", "--lr", "1e30"])
        // The run first names the setting it changes, then fails in one line.
        let notice = "resuming \(model) after epoch 1 with --lr 1e+30 instead of 0.001\n"
        XCTAssertTrue(nan.stderr.hasPrefix(notice), nan.stderr)
        assertOneLine(Result(status: nan.status, stdout: nan.stdout, stderr: String(nan.stderr.dropFirst(notice.count))),
                      status: 1, "latent: training diverged at step ")
        XCTAssertTrue(nan.stderr.hasSuffix("; \(model) keeps epoch 1; try a lower --lr\n"), nan.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: model), before, "the good checkpoint is untouched")

        // Diverging after a good epoch of this run: the file keeps that epoch.
        let copy = dir + "/copy.safetensors"
        let exploding = try latent(["train", "--data", "synthetic:256", "--arch", tinyArch, "--kind", "ae", "--epochs", "3",
                                    "--lr", "10", "--out", copy])
        assertOneLine(exploding, status: 1, "above the limit of 54343); nothing was saved; try a lower --lr")
        XCTAssertFalse(FileManager.default.fileExists(atPath: copy))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/copy.jsonl"), "nor the log of a run that saved nothing")
        // A huge KL weight alone passes the limit: the advice names it.
        let heavy = try latent(["train", "--data", "synthetic:60", "--arch", tinyArch, "--beta", "1e8", "--epochs", "1", "--out", copy])
        assertOneLine(heavy, status: 1, "nothing was saved; try a lower --lr or --beta")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }, [])
    }

    func testAbsurdCounts_AreRefusedBeforeTraining() throws {
        let out = dir + "/m.safetensors"
        let base = ["train", "--data", "synthetic:60", "--arch", "mlp2", "--out", out]
        try assertBadInput(base + ["--epochs", "9223372036854775807"], "--epochs must be from 1 to 1000000")
        try assertBadInput(base + ["--epochs", "1", "--samples", "4611686018427387904"], "--samples must be from 0 to 5000")
        try assertBadInput(base + ["--epochs", "1", "--batch", "1000000"], "--batch must be from 1 to 65536")
        // A wide layer's output for a whole batch: 2^21 values per image times 256 images.
        try assertBadInput(["train", "--data", "synthetic:60", "--arch", "conv(filters:[8],dense:1,latent:1,image:4x512x512)",
                            "--epochs", "1", "--batch", "256", "--out", out],
                           "a batch may hold at most 268435456 (2^28) in one layer; use at most --batch 128")
    }

    func testSignals_Piped_SaveAndExitWithTheShellsStatus() throws {
        for (signal, status, words) in [(SIGHUP, Int32(129), "hung up"), (SIGTERM, 143, "terminated"), (SIGINT, 130, "interrupted")] {
            let out = dir + "/signal\(signal).safetensors"
            let result = try latent(["train", "--data", "synthetic:2000", "--arch", tinyArch, "--epochs", "400", "--out", out],
                                    interruptAfterLine: "epoch 1/", signal: signal)
            XCTAssertEqual(result.status, status, result.stderr)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            XCTAssertTrue(result.stderr.hasPrefix("latent: \(words) at step "), result.stderr)
            XCTAssertTrue(result.stderr.hasSuffix("saved \(out)\n"), result.stderr)
            let (_, checkpoint) = try Checkpoint.load(path: out)
            XCTAssertGreaterThanOrEqual(checkpoint.history.count, 1)
        }
    }

    func testCtrlCWhileTheTestSetIsScored_OneLineAndTheEpochIsKept() throws {
        let out = dir + "/scoring.safetensors"
        // One step per epoch (--limit 64) and a long test pass (1000 images, 300 importance
        // samples each, seconds): a signal sent 0.3 s after epoch 1's line lands in epoch 2's
        // test pass, its one step (milliseconds) done.
        let result = try latent(["train", "--data", "synthetic:6000", "--limit", "64", "--batch", "64", "--arch", tinyArch,
                                 "--samples", "300", "--epochs", "50", "--out", out], interruptAfterLine: "epoch 1/",
                                signalDelay: 0.3)
        XCTAssertEqual(result.status, 130, result.stderr)
        XCTAssertEqual(result.stderr, "latent: interrupted at step 2 (2 full epochs): saved \(out)\n")
        XCTAssertTrue(result.stdout.contains("epoch 2/50"), "the scored epoch's line is printed:\n\(result.stdout)")
        XCTAssertEqual(try Checkpoint.load(path: out).checkpoint.history.count, 2)
    }

    func testAReaderThatGoesAway_StopsTrainingSaved() throws {
        let out = dir + "/piped.safetensors"
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["train", "--data", "synthetic:512", "--arch", tinyArch, "--epochs", "100000", "--out", out]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Two lines, as `latent train | head -2` reads them, then the reader is gone.
        var text = ""
        while text.filter({ $0 == "\n" }).count < 2, let chunk = try pipe.fileHandleForReading.read(upToCount: 1), !chunk.isEmpty {
            text += String(decoding: chunk, as: UTF8.self)
        }
        try pipe.fileHandleForReading.close()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "not killed by SIGPIPE")
        XCTAssertEqual(process.terminationStatus, 141, "the status of a program that SIGPIPE ends")
        XCTAssertGreaterThanOrEqual(try Checkpoint.load(path: out).checkpoint.history.count, 2)
    }

    func testKillNine_LeavesAWholeCheckpointOrNoneAndNoTemporaries() throws {
        let out = dir + "/killed.safetensors"
        var rng = RandomGenerator(seed: 11)
        var survived = 0
        for round in 0..<8 {
            let process = Process()
            process.executableURL = Self.binary
            process.arguments = ["train", "--data", "synthetic:512", "--arch", "mlp20", "--epochs", "1000", "--force", "--out", out]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: 0.3 + Double(rng.uniform(0, 1.5)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if FileManager.default.fileExists(atPath: out) {
                XCTAssertNoThrow(try Checkpoint.load(path: out), "round \(round): the checkpoint is whole")
                survived += 1
            }
        }
        XCTAssertGreaterThan(survived, 0, "some kills came after a save")
        // A kill between naming the unnamed temporary and renaming it (microseconds; the whole
        // write where the file system has no O_TMPFILE) leaves a temporary, which the next
        // write to the same name removes.
        let last = try latent(["train", "--data", "synthetic:512", "--arch", "mlp20", "--epochs", "1", "--force", "--out", out])
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }, [], "no temporary left")
    }

    func testHangup_UnderTheMonitor_SavesWithoutATerminalAndExits129() throws {
        let out = dir + "/hangup.safetensors"
        let session = try PseudoTerminalSession(binary: Self.binary.path,
                                                arguments: ["train", "--data", "synthetic:2000", "--arch", tinyArch,
                                                            "--epochs", "400", "--out", out])
        try session.waitForOutput(containing: "img/s", seconds: 60)
        session.hangUp()
        let status = try session.waitForExit(seconds: 20)
        XCTAssertEqual(status, 129, "exit status after the hangup")
        XCTAssertNoThrow(try Checkpoint.load(path: out), "the checkpoint was written")
    }
}

/// The built binary in a terminal of the test's own (a pseudo-terminal whose master end the
/// test holds), as its session leader, so closing the master is a real hangup.
final class PseudoTerminalSession {
    private let master: Int32
    private let pid: pid_t
    private let output = OutputBuffer()

    init(binary: String, arguments: [String]) throws {
        var name = [CChar](repeating: 0, count: 256)
        master = latent_open_pseudo_terminal(&name, name.count)
        guard master >= 0 else { throw XCTSkip("no pseudo-terminal: \(String(cString: strerror(errno)))") }
        let slave = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new session: the terminal opened below becomes its controlling terminal.
        posix_spawnattr_setflags(&attributes, latent_spawn_new_session_flag())
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, slave, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        posix_spawn_file_actions_addclose(&actions, master)
        let environment = ["TERM=xterm-256color", "LINES=30", "COLUMNS=100", "PATH=/usr/bin:/bin", "LANG=C.UTF-8"]
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        guard posix_spawn(&child, binary, &actions, &attributes, argv, envp) == 0 else {
            throw XCTSkip("cannot start \(binary)")
        }
        pid = child
        // Drain the terminal, or the program blocks once the buffer is full.
        let (fd, buffer) = (master, output)
        Thread.detachNewThread {
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { break }
                buffer.append(chunk[0..<n])
            }
        }
    }

    /// Waits until the program has written `text`.
    func waitForOutput(containing text: String, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if output.text.contains(text) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("'\(text)' never came; the program wrote \(output.text.suffix(300))")
    }

    /// Closes the terminal: the kernel sends the session SIGHUP.
    func hangUp() { close(master) }

    /// The exit status, waiting at most `seconds`; kills the program and fails if it hangs.
    func waitForExit(seconds: Double) throws -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                // WIFEXITED / WEXITSTATUS, macros Swift does not import.
                if status & 0x7F == 0 { return (status >> 8) & 0xFF }
                XCTFail("ended by signal \(status & 0x7F)")
                return nil
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        XCTFail("still running \(seconds) s after the hangup")
        return nil
    }
}

/// Bytes a reader thread collects.
private final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    func append(_ more: ArraySlice<UInt8>) { lock.withLock { bytes += more } }
    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}
