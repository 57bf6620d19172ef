import Foundation
import XCTest
import VAECore

/// Every `--out` follows one rule: regular files are replaced atomically, a symbolic link's
/// target is replaced, and anything else is refused before any work; a write the machine
/// refuses is one line and exit 1, found before training starts, and leaves nothing behind.
final class OutputFileTests: CommandTestCase {
    private var dir = ""
    private var model = ""

    override func setUpWithError() throws {
        dir = try temporaryDirectory()
        model = try trainSmallModel(dir + "/m.safetensors", arch: tinyArch)
    }

    /// Each command that writes a file, writing to `out` (whose extension the caller picks).
    private func commands(writing out: (String) -> String) -> [[String]] {
        [
            ["sample", "--model", model, "--grid", "2", "--out", out("png")],
            ["reconstruct", "--model", model, "--count", "2", "--out", out("png")],
            ["interpolate", "0", "1", "--model", model, "--out", out("png")],
            ["encode", "--model", model, "--out", out("csv")],
            ["plot", "--model", model, "--out", out("png")],
            ["train", "--data", "synthetic:64", "--arch", tinyArch, "--epochs", "1", "--force", "--out", out("safetensors")],
        ]
    }

    /// Files whose names start with a dot: temporaries left behind.
    private func debris(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".") }
    }

    func testOut_RefusesDirectoriesFIFOsSocketsDevicesAndDanglingLinks() throws {
        var targets: [(make: (String) throws -> Void, fragment: String)] = [
            ({ try FileManager.default.createDirectory(atPath: $0, withIntermediateDirectories: false) }, "is a directory"),
            ({ XCTAssertEqual(mkfifo($0, 0o644), 0) }, "is a FIFO; latent writes only regular files"),
            ({ try Self.makeSocket(at: $0) }, "is a socket; latent writes only regular files"),
            ({ XCTAssertEqual(symlink("\(self.dir)/nowhere", $0), 0) }, "which does not exist; remove the link or point it at a file"),
        ]
        // A device node of our own (the null device's numbers) needs root; /dev/null itself otherwise.
        let probe = dir + "/probe-device"
        let null = dev_t(1 << 8 | 3)  // makedev(1, 3), a macro Swift does not import
        if mknod(probe, S_IFCHR | 0o666, null) == 0 {
            unlink(probe)
            targets.append(({ XCTAssertEqual(mknod($0, S_IFCHR | 0o666, null), 0) }, "is a device"))
        } else {
            targets.append(({ XCTAssertEqual(symlink("/dev/null", $0), 0) }, "which is a device, not a regular file"))
        }
        for (index, target) in targets.enumerated() {
            var paths: [String] = []
            let list = commands { ext in
                paths.append("\(dir)/target\(index)-\(paths.count).\(ext)")
                return paths.last!
            }
            for (path, command) in zip(paths, list) {
                try target.make(path)
                try assertBadInput(command, target.fragment)
            }
        }
        XCTAssertEqual(try debris(dir), [])
    }

    func testOut_ThroughASymbolicLink_ReplacesItsTarget() throws {
        let folder = dir + "/pictures"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let target = folder + "/grid.png"
        XCTAssertTrue(FileManager.default.createFile(atPath: target, contents: Data("old".utf8)))
        chmod(target, 0o600)
        XCTAssertEqual(symlink("pictures/grid.png", dir + "/latest.png"), 0)
        let result = try latent(["sample", "--model", model, "--grid", "2", "--out", dir + "/latest.png"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/latest.png"), "pictures/grid.png",
                       "the link stays a link")
        let written = try XCTUnwrap(FileManager.default.contents(atPath: target))
        XCTAssertEqual(Array(written.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "the target is now the PNG")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int, 0o600,
                       "the replaced file keeps its permissions")
        XCTAssertEqual(try debris(dir) + debris(folder), [])
    }

    func testOut_RefusesAnEmptyNameAndAFolderName() throws {
        try assertBadInput(["encode", "--model", model, "--out", ""], "'': an empty name; give a file name")
        try assertBadInput(["train", "--data", "synthetic:64", "--epochs", "1", "--out", dir + "/new.safetensors/"],
                           "\(dir)/new.safetensors/: names a folder (it ends in /); give a file name")
    }

    func testEncode_WantsACSVName() throws {
        try assertBadInput(["encode", "--model", model, "--out", dir + "/z.txt"], "\(dir)/z.txt: encode writes CSV; name the file .csv")
    }

    func testStaleTemporaries_OfDeadProcessesGoOnTheNextWrite() throws {
        // A process that has ended leaves its pid free; one that runs (this one) keeps its file.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let stale = "\(dir)/.m.safetensors.\(ended.processIdentifier).0badf00d.tmp"
        let live = "\(dir)/.m.safetensors.\(getpid()).600df00d.tmp"
        let other = "\(dir)/.other.safetensors.\(ended.processIdentifier).0badf00d.tmp"
        for path in [stale, live, other] { XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data([1, 2]))) }
        let result = try latent(["train", "--resume", model, "--epochs", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale), "a dead process's temporary is removed")
        XCTAssertTrue(FileManager.default.fileExists(atPath: live), "a running process's temporary is kept")
        XCTAssertTrue(FileManager.default.fileExists(atPath: other), "another file's temporary is not ours to remove")
    }

    func testFileSizeLimit_IsOneLineBeforeTheFirstEpoch() throws {
        let out = dir + "/limited.safetensors"
        // ulimit -f counts 1024-byte blocks: 64 KB, less than the tiny model's checkpoint.
        let result = try latent(["train", "--data", "synthetic:256", "--arch", "mlp(hidden:[64],latent:2)", "--epochs", "1", "--out", out],
                                launcher: ["/bin/sh", "-c", "ulimit -f 64; exec \"$@\"", "sh"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("\(out): cannot write: File too large"), result.stderr)
        XCTAssertEqual(result.stdout, "", "found before the first epoch")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(try debris(dir), [])
    }

    func testFullDiskAndReadOnlyFolder_AreOneLineBeforeTheFirstEpoch() throws {
        let full = try mountScratch("size=64k")
        let out = full + "/m.safetensors"
        let arguments = ["train", "--data", "synthetic:256", "--arch", "mlp(hidden:[64],latent:2)", "--epochs", "1", "--out", out]
        let noSpace = try latent(arguments)
        XCTAssertEqual(noSpace.status, 1, noSpace.stderr)
        XCTAssertEqual(noSpace.stderr.split(separator: "\n").count, 1, noSpace.stderr)
        XCTAssertTrue(noSpace.stderr.contains("\(out): cannot write: No space left on device"), noSpace.stderr)
        XCTAssertEqual(noSpace.stdout, "")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: full), [], "nothing left on the full disk")

        // Room for one checkpoint but not for the second copy an atomic replacement needs.
        let tight = try mountScratch("size=600k")
        let second = try latent(["train", "--data", "synthetic:256", "--arch", "mlp(hidden:[64],latent:2)", "--epochs", "1",
                                 "--out", tight + "/m.safetensors"])
        XCTAssertEqual(second.status, 1, second.stderr)
        XCTAssertTrue(second.stderr.contains("free in \(tight), and replacing the file needs"), second.stderr)

        let readOnly = try mountScratch("ro,size=64k")
        let refused = try latent(["sample", "--model", model, "--grid", "2", "--out", readOnly + "/g.png"])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("\(readOnly)/g.png: cannot write in \(readOnly): Read-only file system"), refused.stderr)
        let training = try latent(["train", "--data", "synthetic:256", "--arch", tinyArch, "--epochs", "1", "--out", readOnly + "/m.safetensors"])
        XCTAssertEqual(training.status, 1, training.stderr)
        XCTAssertEqual(training.stdout, "")
    }

    /// A small file system of its own (tmpfs with `options`), unmounted after the test. Needs
    /// root, as CI and `make test` on a fresh machine run; skipped otherwise.
    private func mountScratch(_ options: String) throws -> String {
        let point = dir + "/mount-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: false)
        guard options.withCString({ mount("tmpfs", point, "tmpfs", 0, $0) }) == 0 else {
            throw XCTSkip("cannot mount a tmpfs here (\(String(cString: strerror(errno)))): needs root")
        }
        addTeardownBlock { umount2(point, Int32(MNT_DETACH)) }
        return point
    }

    /// Binds a Unix socket at `path`.
    private static func makeSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0, "bind \(path)")
    }
}
