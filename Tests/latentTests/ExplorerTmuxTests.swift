import Foundation
import VAECore
import XCTest

/// End-to-end: the built binary in a real terminal, driven with tmux send-keys and read back
/// with capture-pane.
final class ExplorerTmuxTests: XCTestCase {
    var socket = ""
    var directory = ""

    override func setUpWithError() throws {
        socket = "latent-test-\(UUID().uuidString.prefix(8))"
        directory = NSTemporaryDirectory() + "latent-tmux-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        _ = try? tmux(["kill-server"])
        // tmux leaves its socket files behind.
        let socketDirectory = (ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp") + "/tmux-\(getuid())"
        for name in [socket, socket.replacingOccurrences(of: "-2", with: "")] {
            try? FileManager.default.removeItem(atPath: "\(socketDirectory)/\(name)")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a program to its end and returns its status and everything it printed.
    @discardableResult
    func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs tmux to its end with posix_spawn and waitpid, returning what it printed.
    /// (Foundation's Process did not always reap the tmux client that starts a server.)
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        guard let path = ["/usr/bin/tmux", "/bin/tmux"].first(where: FileManager.default.fileExists(atPath:)) else {
            XCTFail("tmux is not installed; make test installs it")
            return ""
        }
        let output = directory + "/tmux-output"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([path, "-L", socket, "-f", "/dev/null"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else {
            XCTFail("could not start tmux")
            return ""
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }

    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", "main"]) }

    /// Polls the pane until every one of `texts` shows in one capture, failing after `seconds`.
    /// A capture can land while a frame is half drawn, so what a test checks on a frame is
    /// waited for here rather than asserted on the first capture that shows part of it; `still`
    /// also waits for the pane to stop changing, for tests that compare whole frames.
    @discardableResult
    func waitFor(_ texts: String..., seconds: Double = 30, still: Bool = false,
                 file: StaticString = #filePath, line: UInt = #line) throws -> String {
        var previous = ""
        let shown = try waitUntil(texts.map { "'\($0)'" }.joined(separator: ", "), seconds: seconds, file: file, line: line) { screen in
            defer { previous = screen }
            return texts.allSatisfy(screen.contains) && (!still || screen == previous)
        }
        return shown
    }

    /// Polls the pane until `isDone` holds for one capture, failing with `what` after `seconds`.
    @discardableResult
    func waitUntil(_ what: String, seconds: Double = 30, file: StaticString = #filePath, line: UInt = #line,
                   _ isDone: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if isDone(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("\(what) did not come; the screen was:\n\(last)", file: file, line: line)
        return last
    }

    func start(_ command: String, environment: String = "TERM=xterm-256color LANG=C.UTF-8") throws {
        try tmux(["new-session", "-d", "-s", "main", "-x", "100", "-y", "30",
                  "env \(environment) \(command); echo EXITED $?; sleep 600"])
    }

    var binary: String { CommandTestCase.binary.path }

    /// mlp2 trained for one epoch on 256 synthetic digits, in the test's folder.
    func smallModel(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let model = directory + "/m.safetensors"
        let trained = try run(binary, ["train", "--data", "synthetic:256", "--arch", "mlp2", "--epochs", "1", "--out", model])
        XCTAssertEqual(trained.status, 0, trained.output, file: file, line: line)
        return model
    }

    func testExplorer_MovesHelpsAndQuitsCleanly() throws {
        let model = try smallModel()
        try start("\(binary) explore --model \(model) --data synthetic:256")
        let first = try waitFor("n nearest", "latent - explore", "? help  q quit", still: true)

        try tmux(["send-keys", "-t", "main", "Right", "Right", "Up"])
        let imageRows = { (screen: String) in screen.split(separator: "\n", omittingEmptySubsequences: false)[2..<17].map { $0.dropFirst(51) } }
        try waitUntil("the decoded image changed with the cursor") { $0.contains("z = (0.5, 0.25)") && imageRows($0) != imageRows(first) }

        // Resizing redraws at the new size; too small a window gets a message, not a broken layout.
        try tmux(["resize-window", "-t", "main", "-x", "40", "-y", "12"])
        try waitFor("Terminal too small: 40x12")
        try tmux(["resize-window", "-t", "main", "-x", "120", "-y", "35"])
        let wide = try waitFor("z = (0.5, 0.25)")
        XCTAssertTrue(wide.split(separator: "\n").count >= 35, wide)

        try tmux(["send-keys", "-t", "main", "?"])
        try waitFor("jump to the nearest encoded image")
        try tmux(["send-keys", "-t", "main", "x"])
        try waitUntil("the help closed on any key") {
            !$0.contains("any key closes this help") && $0.contains("decoded at the cursor")
        }

        try tmux(["send-keys", "-t", "main", "q"])
        let after = try waitFor("EXITED 0")
        XCTAssertFalse(after.contains("? help  q quit"), "the explorer's screen is gone:\n\(after)")
    }

    /// `latent` alone, on the bundled model: the first whole frame (status bar included) comes
    /// while the map's images are still being encoded, and the map follows.
    func testExplorer_FirstFrameComesAtOnceAndTheMapFollows() throws {
        let started = Date()
        try start("\(binary)")
        var first = ""
        while Date().timeIntervalSince(started) < 30 {
            first = try screen()
            if first.contains("? help  q quit") { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        let milliseconds = Int(Date().timeIntervalSince(started) * 1000)
        print("first frame of latent after \(milliseconds) ms (tmux start and polling included; this build)")
        XCTAssertTrue(first.contains("z = (0, 0)"), "the image at the origin is on the first frame:\n\(first)")
        XCTAssertLessThan(milliseconds, 5000)
        try waitUntil("the map with its legend") {
            $0.contains("n nearest") && ($0.contains("Ankle boot") || $0.contains("synthetic"))
        }
        try tmux(["send-keys", "-t", "main", "q"])
        try waitFor("EXITED 0")
    }

    func testExplorer_WithoutFashionMNIST_OpensTheBundledModelOnSyntheticDigits() throws {
        // `latent` alone, as `make run` starts it, on a machine without the dataset package.
        try start(binary, environment: "TERM=xterm-256color LANG=C.UTF-8 LATENT_FASHION_MNIST=\(directory)/none")
        // The legend names the digits.
        try waitFor("synthetic digits: apt install dataset-fashion-mnist", "7 7")
        try tmux(["send-keys", "-t", "main", "q"])
        let after = try waitFor("EXITED 0")
        XCTAssertTrue(after.contains("latent: fashion-mnist is not installed (sudo apt-get install dataset-fashion-mnist)"), after)
    }

    func testExplorer_OpensACheckpointSavedByPythonSafetensors() throws {
        // Written by Python's safetensors in torch_vae.py's module layout, with no metadata.
        let fixture = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
            .appendingPathComponent("../VAECoreTests/Fixtures/pytorch_mlp8.safetensors").standardized.path
        try start("\(binary) explore --model \(fixture) --data synthetic:256")
        try waitFor("pytorch_mlp8.safetensors, mlp(hidden:[8],latent:2)", "z = (")
        try tmux(["send-keys", "-t", "main", "Right", "Up"])
        try waitFor("z = (0.25, 0.25)")
        try tmux(["send-keys", "-t", "main", "q"])
        try waitFor("EXITED 0")
    }

    func testExplorer_RefusesADumbTerminal() throws {
        try start("\(binary) explore --data synthetic:64", environment: "TERM=dumb")
        let shown = try waitFor("EXITED")
        XCTAssertTrue(shown.contains("EXITED 2"), shown)
        XCTAssertTrue(shown.contains("TERM is dumb"), shown)
    }

    func testExplorer_WithoutATerminalNamesTheOtherCommands() throws {
        let result = try run(binary, ["explore", "--data", "synthetic:64"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.output, "latent: the explorer needs an interactive terminal; without one use latent sample, reconstruct, interpolate --out, encode, eval or score\n")
    }
}

extension ExplorerTmuxTests {
    func testTrainMonitor_ShowsTheLossMovingAndQuitSaves() throws {
        let model = directory + "/live.safetensors"
        try start("\(binary) train --data synthetic:2000 --arch mlp2 --epochs 1000 --out \(model)")
        let early = try waitFor(" total ", "img/s", "latent - train", seconds: 60)
        func stepOf(_ screen: String) -> Int? {
            screen.split(separator: "\n").first { $0.contains("img/s") }
                .flatMap { $0.components(separatedBy: "step ").dropFirst().first?.split(separator: " ").first }
                .flatMap { Int($0) }
        }
        func totalOf(_ screen: String) -> String? {
            screen.components(separatedBy: " total ").dropFirst().first?.split(separator: " ").first.map(String.init)
        }
        let firstStep = try XCTUnwrap(stepOf(early))
        let firstTotal = try XCTUnwrap(totalOf(early))
        // Training goes on under the monitor, and the loss figures change.
        let later = try waitUntil("a later step and another total") {
            (stepOf($0) ?? 0) > firstStep && totalOf($0).map { $0 != firstTotal } == true
        }
        // The other views follow the model while it trains.
        XCTAssertTrue(later.contains("1 train  2 explore  3 interpolate"), later)
        try tmux(["send-keys", "-t", "main", "2"])
        try waitFor("n nearest")
        try tmux(["send-keys", "-t", "main", "3"])
        try waitFor("pixel cross-fade")
        try tmux(["send-keys", "-t", "main", "1"])
        try waitFor(" total ")
        try tmux(["send-keys", "-t", "main", "q"])
        let after = try waitFor("EXITED 0", seconds: 60)
        XCTAssertTrue(after.contains("stopped at step"), after)
        XCTAssertTrue(FileManager.default.fileExists(atPath: model))
    }
}

extension ExplorerTmuxTests {
    func testInterpolate_OpensOnTheStripAndScrubs() throws {
        let model = try smallModel()
        try start("\(binary) interpolate 3 7 --steps 12 --spherical --model \(model) --data synthetic:256")
        try waitFor("spherical path  frame 1/12", "from #3 ", "pixel cross-fade")
        try tmux(["send-keys", "-t", "main", "Right", "Right"])
        try waitFor("frame 3/12")
        try tmux(["send-keys", "-t", "main", "p"])
        try waitFor("linear path")
        try tmux(["send-keys", "-t", "main", "Tab"])
        try waitFor("z = (", "latent - explore")
        try tmux(["send-keys", "-t", "main", "2"])
        try waitFor("latent - interpolate")
        try tmux(["send-keys", "-t", "main", "q"])
        try waitFor("EXITED 0")
        // A second server on its own socket: a new server on the same socket could race the
        // old one's exit.
        try tmux(["kill-server"])
        socket += "-2"
        try start("\(binary) interpolate 3 99999 --model \(model) --data synthetic:256")
        let refused = try waitFor("EXITED")
        XCTAssertTrue(refused.contains("image 99999 is not in synthetic/test"), refused)
        XCTAssertTrue(refused.contains("EXITED 2"), refused)
    }
}

extension ExplorerTmuxTests {
    func testInterpolate_TakesImageFiles() throws {
        let model = try smallModel()
        // A dark ring on a light page, 40x30, as a binary PGM.
        var pixels: [UInt8] = []
        for y in 0..<30 { for x in 0..<40 {
            let d = (Double((x - 20) * (x - 20) + (y - 15) * (y - 15))).squareRoot()
            pixels.append(abs(d - 9) < 2.5 ? 30 : 250)
        } }
        let ring = directory + "/ring.pgm"
        _ = FileManager.default.createFile(atPath: ring, contents: Data(Array("P5\n40 30\n255\n".utf8) + pixels))
        try start("\(binary) interpolate \(ring) 3 --model \(model) --data synthetic:256 --glyphs braille")
        try waitUntil("the frames drawn in braille") { screen in
            screen.contains("frame 1/9") && screen.contains("from ring.pgm to #3")
                && screen.unicodeScalars.filter { (0x2800...0x28FF).contains($0.value) }.count > 100
        }
        try tmux(["send-keys", "-t", "main", "q"])
        try waitFor("EXITED 0")
        try tmux(["kill-server"])
        socket += "-2"
        let notes = directory + "/notes.txt"
        _ = FileManager.default.createFile(atPath: notes, contents: Data("hello".utf8))
        try start("\(binary) interpolate \(notes) 3 --model \(model) --data synthetic:256")
        let refused = try waitFor("EXITED")
        // The pane wraps the line, with its long temporary path, at 80 columns.
        let joined = refused.replacingOccurrences(of: "\n", with: "")
        XCTAssertTrue(joined.contains("notes.txt: not a PNG, JPEG, PGM or PPM image"), refused)
        XCTAssertTrue(refused.contains("EXITED 2"), refused)
    }
}

extension ExplorerTmuxTests {
    /// The pid of the running `latent` whose command line mentions `marker`.
    private func latentProcess(mentioning marker: String) throws -> pid_t {
        for name in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let pid = pid_t(name),
                  let line = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { continue }
            let words = line.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if words.first == binary && words.contains(where: { $0.contains(marker) }) { return pid }
        }
        throw XCTSkip("no latent process mentions \(marker)")
    }

    /// CPU time the process has used, in clock ticks (user + system, /proc/PID/stat).
    private func cpuTicks(_ pid: pid_t) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
        return Int(fields[11])! + Int(fields[12])!
    }

    private func waitUntilGone(_ pid: pid_t, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if kill(pid, 0) != 0 && errno == ESRCH { return true }
            // Exited but not reaped (its shell died first, and no init reaps orphans): gone too.
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            if let state = stat.components(separatedBy: ") ").last?.first, state == "Z" || state == "X" { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    func testTrainMonitor_ClosingTheTerminalSavesAndEnds() throws {
        let model = directory + "/closed.safetensors"
        try start("\(binary) train --data synthetic:2000 --arch mlp2 --epochs 1000 --out \(model)")
        try waitFor("img/s", seconds: 60)
        let pid = try latentProcess(mentioning: model)
        // Killing the server closes the pane's terminal: the process gets SIGHUP.
        try tmux(["kill-server"])
        XCTAssertTrue(waitUntilGone(pid, seconds: 20), "latent ended after its terminal closed")
        XCTAssertNoThrow(try Checkpoint.load(path: model), "and saved first")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".") }, [])
    }

    func testTrainMonitor_CtrlCEndsEveryTime() throws {
        for round in 0..<3 {
            let model = directory + "/round\(round).safetensors"
            try start("\(binary) train --data synthetic:2000 --arch conv2 --epochs 1000 --out \(model)")
            try waitFor("img/s", seconds: 60)
            Thread.sleep(forTimeInterval: 0.5 * Double(round))
            try tmux(["send-keys", "-t", "main", "C-c"])
            let after = try waitFor("EXITED", seconds: 20)
            XCTAssertTrue(after.contains("EXITED 130"), after)
            XCTAssertTrue(after.contains("interrupted at step"), after)
            try tmux(["kill-server"])
            socket += "-\(round)"
        }
    }

    func testTrainMonitor_FinishedAndWaitingForQUsesNoCPU() throws {
        let model = directory + "/done.safetensors"
        try start("\(binary) train --data synthetic:256 --arch mlp2 --epochs 1 --out \(model)")
        try waitFor("finished", seconds: 60)
        let pid = try latentProcess(mentioning: model)
        // The last refresh of samples and map comes up to 1.5 s after the end, later on a busy
        // machine: first a quiet second, then the measure.
        let quietBy = Date().addingTimeInterval(30)
        while Date() < quietBy {
            let start = try cpuTicks(pid)
            Thread.sleep(forTimeInterval: 1)
            if try cpuTicks(pid) - start <= 3 { break }
        }
        let before = try cpuTicks(pid)
        Thread.sleep(forTimeInterval: 3)
        let used = try cpuTicks(pid) - before
        let ticksPerSecond = sysconf(Int32(_SC_CLK_TCK))
        XCTAssertLessThanOrEqual(used * 100, 3 * ticksPerSecond * 3, "\(used) ticks in 3 s: more than 3% of a core while idle")
        try tmux(["send-keys", "-t", "main", "q"])
        try waitFor("EXITED 0")
    }
}

extension ExplorerTmuxTests {
    func testEval_ShowsProgressAndETAOnATerminalOnly() throws {
        let model = directory + "/m.safetensors"
        XCTAssertEqual(try run(binary, ["train", "--data", "synthetic:6000", "--arch", "mlp2", "--epochs", "1", "--out", model]).status, 0)
        try start("\(binary) eval --model \(model) --samples 400")
        let running = try waitFor("scoring k=400: ", seconds: 30)
        XCTAssertTrue(running.contains("/1000 images") && running.contains("ETA "), running)
        let done = try waitFor("EXITED 0", seconds: 120)
        XCTAssertTrue(done.contains("(k=400)"), done)
        XCTAssertFalse(done.contains("scoring k="), "the progress line is cleared:\n\(done)")
        // Piped, the same run prints the result alone.
        let piped = try run(binary, ["eval", "--model", model, "--samples", "20"])
        XCTAssertEqual(piped.status, 0)
        XCTAssertEqual(piped.output.split(separator: "\n").count, 1, piped.output)
    }
}

extension ExplorerTmuxTests {
    func testTrainMonitor_ADivergingRunEndsWithOneLine() throws {
        let model = directory + "/diverging.safetensors"
        try start("\(binary) train --data synthetic:2000 --arch mlp2 --epochs 5 --lr 1e30 --out \(model)")
        let after = try waitFor("EXITED", seconds: 60)
        XCTAssertTrue(after.contains("EXITED 1"), after)
        XCTAssertTrue(after.contains("latent: training diverged at step"), after)
        XCTAssertTrue(after.contains("nothing was saved; try a lower --lr"), after)
        XCTAssertFalse(FileManager.default.fileExists(atPath: model))
    }
}

extension ExplorerTmuxTests {
    func testExplorer_CtrlCRestoresTheTerminalAndExits130() throws {
        let model = try smallModel()
        try start("\(binary) explore --model \(model) --data synthetic:256")
        try waitFor("n nearest")
        let pid = try latentProcess(mentioning: model)
        Thread.sleep(forTimeInterval: 3)
        let idle = try cpuTicks(pid)
        Thread.sleep(forTimeInterval: 2)
        XCTAssertLessThanOrEqual(try cpuTicks(pid) - idle, 4, "an idle explorer uses next to no CPU")
        try tmux(["send-keys", "-t", "main", "C-c"])
        let after = try waitFor("EXITED", seconds: 10)
        XCTAssertTrue(after.contains("EXITED 130"), after)
        XCTAssertFalse(after.contains("? help  q quit"), "the explorer's screen is gone:\n\(after)")
    }
}

extension ExplorerTmuxTests {
    /// The raw bytes terminals send, as tmux's send-keys -H writes them.
    private func sendRaw(_ text: String) throws {
        try tmux(["send-keys", "-t", "main", "-H"] + text.utf8.map { String(format: "%02x", $0) })
    }

    func testKeys_HomeEndPagesAndUnknownSequences_AsTerminalsSendThem() throws {
        let model = try smallModel()
        try start("\(binary) interpolate 3 7 --steps 12 --model \(model) --data synthetic:256")
        try waitFor("frame 1/12")
        try sendRaw("\u{1B}[4~")        // End, as tmux and PuTTY send it
        try waitFor("frame 12/12")
        try sendRaw("\u{1B}[1~")        // Home
        try waitFor("frame 1/12")
        try sendRaw("\u{1B}[6~")        // Page Down: a quarter of the path
        try waitFor("frame 4/12")
        try sendRaw("\u{1B}[F")         // End, xterm's other form
        try waitFor("frame 12/12")
        try sendRaw("\u{1B}OH")         // Home, in application mode
        try waitFor("frame 1/12")
        // Alt-x, F5, Insert and a lone Esc: ignored, and the app goes on.
        try sendRaw("\u{1B}x")
        try sendRaw("\u{1B}[15~")
        try sendRaw("\u{1B}[2~")
        try tmux(["send-keys", "-t", "main", "Escape"])
        // A key within 25 ms of a lone Esc reads as Alt with that key, as in every terminal app;
        // so does one already waiting when the app reads the Esc, so the wait is long.
        Thread.sleep(forTimeInterval: 1)
        try sendRaw("l")
        let after = try waitFor("frame 2/12")
        XCTAssertFalse(after.contains("EXITED"), after)
        // Help: q closes it and does not quit; a second q quits.
        try tmux(["send-keys", "-t", "main", "?"])
        try waitFor("any key closes this help")
        try tmux(["send-keys", "-t", "main", "q"])
        let closed = try waitUntil("the help closed by q") { !$0.contains("any key closes this help") && $0.contains("frame 2/12") }
        XCTAssertFalse(closed.contains("EXITED"), "q closed the help only:\n\(closed)")
        try tmux(["send-keys", "-t", "main", "q"])
        try waitFor("EXITED 0")
    }
}

extension ExplorerTmuxTests {
    func testTrainMonitor_ABetaChangedLiveIsWhatTheCheckpointResumesWith() throws {
        let model = directory + "/live-beta.safetensors"
        try start("\(binary) train --data synthetic:2000 --arch mlp2 --epochs 1000 --out \(model)")
        try waitFor("beta 1.00", seconds: 60)
        try tmux(["send-keys", "-t", "main", "]", "]"])
        try waitFor("beta 1.56")
        try tmux(["send-keys", "-t", "main", "q"])
        try waitFor("EXITED 0", seconds: 60)
        let (_, checkpoint) = try Checkpoint.load(path: model)
        XCTAssertEqual(checkpoint.training?.beta, 1.5625, "the settings a --resume goes on with")
    }
}

extension ExplorerTmuxTests {
    func testTrainMonitor_AFinishedRunLeavesItsEpochLines() throws {
        let model = directory + "/two.safetensors"
        try start("\(binary) train --data synthetic:256 --arch mlp2 --epochs 2 --out \(model)")
        try waitFor("finished", seconds: 60)
        try tmux(["send-keys", "-t", "main", "q"])
        let after = try waitFor("EXITED 0")
        XCTAssertTrue(after.contains("epoch 1/2  train") && after.contains("epoch 2/2  train"), after)
    }

    func testExplorer_ATerminalWithoutAnAlternateScreenIsClearedOnExit() throws {
        let model = try smallModel()
        try start("\(binary) explore --model \(model) --data synthetic:256", environment: "TERM=vt100 LANG=C.UTF-8")
        try waitFor("n nearest")
        try tmux(["send-keys", "-t", "main", "q"])
        let after = try waitFor("EXITED 0")
        XCTAssertFalse(after.contains("q quit") || after.contains("z = ("), "the last frame is gone:\n\(after)")
    }

    /// Mouse reports as terminals send them: SGR (xterm's, `ESC[<b;x;yM`) and X10 (`ESC[M` and
    /// three bytes, what tmux-256color's terminfo describes), 1-based columns and rows.
    func testMouse_ClickOnTheMapTheWheelAndATab() throws {
        let model = try smallModel()
        for (round, term) in ["xterm-256color", "tmux-256color"].enumerated() {
            if round > 0 {
                try tmux(["kill-server"])
                socket += "-2"
            }
            try start("\(binary) explore --model \(model) --data synthetic:256", environment: "TERM=\(term) LANG=C.UTF-8")
            try waitFor("n nearest")
            // The map's top left quarter: x < 0 and y > 0.
            let click = (column: 8, row: 6)
            if term == "xterm-256color" {
                try sendRaw("\u{1B}[<0;\(click.column);\(click.row)M")
                try sendRaw("\u{1B}[<0;\(click.column);\(click.row)m")
            } else {
                try sendRaw("\u{1B}[M" + String(UnicodeScalar(UInt8(32)))
                            + String(UnicodeScalar(UInt8(32 + click.column))) + String(UnicodeScalar(UInt8(32 + click.row))))
            }
            func cursor(_ screen: String) -> [Float] {
                guard let line = screen.split(separator: "\n").first(where: { $0.contains("z = (") }) else { return [] }
                return line.components(separatedBy: "z = (")[1].prefix { $0 != ")" }.split(separator: ",")
                    .compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
            }
            try waitUntil("\(term): the cursor at x < 0, y > 0") { screen in
                let z = cursor(screen)
                return z.count == 2 && z[0] < 0 && z[1] > 0
            }
            // The wheel doubles the step; a click on the second tab opens the interpolate view.
            try sendRaw(term == "xterm-256color" ? "\u{1B}[<64;20;10M" : "\u{1B}[M" + String(UnicodeScalar(UInt8(32 + 64))) + "4*")
            try waitFor("step 0.5")
            let tabs = try screen().split(separator: "\n").first.map(String.init) ?? ""
            let tab = try XCTUnwrap(tabs.range(of: "2 interpolate")).lowerBound.utf16Offset(in: tabs) + 2
            try sendRaw("\u{1B}[<0;\(tab);1M")
            try waitFor("pixel cross-fade")
            try tmux(["send-keys", "-t", "main", "q"])
            try waitFor("EXITED 0")
        }
    }

    /// A colour model trained on the generated sprites opens in the explorer, its images
    /// drawn with the 256-colour palette and its map's legend naming the shapes.
    func testExplorer_OpensAColourModelOnSprites() throws {
        let model = directory + "/colour.safetensors"
        let trained = try run(binary, ["train", "--data", "sprites:300", "--arch", "conv(filters:[8,16],dense:16,latent:2,image:3x32x32)",
                                       "--epochs", "1", "--out", model])
        XCTAssertEqual(trained.status, 0, trained.output)
        // The test runner's environment may carry NO_COLOR; the colours are what this checks.
        try start("\(binary) explore --model \(model)", environment: "-u NO_COLOR TERM=xterm-256color LANG=C.UTF-8")
        try waitFor("n nearest", "0 circle")
        try tmux(["send-keys", "-t", "main", "n"])
        try waitFor("original | reconstruction")
        let coloured = try tmux(["capture-pane", "-p", "-e", "-t", "main"])
        XCTAssertTrue(coloured.contains("[48;5;") && !coloured.contains("[48;2;"), "palette colours on the screen")
        try tmux(["send-keys", "-t", "main", "q"])
        try waitFor("EXITED 0")
        // COLORTERM=truecolor: 24-bit colour through the terminal's direct-colour entry, unless
        // --colors 256 says otherwise.
        for (round, flags) in ["", " --colors 256"].enumerated() {
            try tmux(["kill-server"])
            socket += "-\(round + 2)"
            try start("\(binary) explore --model \(model)\(flags)",
                      environment: "-u NO_COLOR TERM=xterm-256color COLORTERM=truecolor LANG=C.UTF-8")
            try waitFor("n nearest")
            let screen = try tmux(["capture-pane", "-p", "-e", "-t", "main"])
            XCTAssertEqual(screen.contains("[48;2;"), flags.isEmpty, "24-bit colour\(flags)")
            XCTAssertEqual(screen.contains("[48;5;"), !flags.isEmpty, "palette colour\(flags)")
            try tmux(["send-keys", "-t", "main", "q"])
            try waitFor("EXITED 0")
        }
    }

    /// The bundled colour model, rgb32 trained on sprites, opens on its own data in colour.
    func testExplorer_OpensTheBundledColourModel() throws {
        let model = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
            .appendingPathComponent("../../assets/models/rgb32-sprites.safetensors").standardized.path
        try start("\(binary) explore --model \(model)", environment: "-u NO_COLOR TERM=xterm-256color LANG=C.UTF-8")
        try waitFor("n nearest", "rgb32", "0 circle", seconds: 60)
        XCTAssertTrue(try tmux(["capture-pane", "-p", "-e", "-t", "main"]).contains("[48;5;"), "palette colours on the screen")
        try tmux(["send-keys", "-t", "main", "q"])
        try waitFor("EXITED 0")
    }
}

