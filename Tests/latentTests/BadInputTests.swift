import Foundation
import XCTest
import VAECore

/// Every kind of bad input gets one line naming the file and what is wrong, exit status 2, and
/// leaves the files that already exist as they were.
final class BadInputTests: CommandTestCase {
    private var dir = ""
    private var model = ""

    override func setUpWithError() throws {
        dir = try temporaryDirectory()
        model = try trainSmallModel(dir + "/m.safetensors")
    }

    /// A folder of images at `path`, each `side` pixels square (light strokes on black).
    private func imageFolder(_ path: String, sides: [Int]) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (index, side) in sides.enumerated() {
            let pixels = (0..<side * side).map { Float(($0 / side + $0 % side) % 7) / 6 }
            try ImageFile.write(ImageFile.Gray(width: side, height: side, pixels: pixels), to: "\(path)/\(index).png")
        }
        return path
    }

    private func write(_ bytes: [UInt8], to path: String) -> String {
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func testAMissingFile() throws {
        try assertBadInput(["eval", "--model", dir + "/gone.safetensors"], "\(dir)/gone.safetensors: no such file")
        try assertBadInput(["train", "--resume", dir + "/gone.safetensors", "--epochs", "2"], "\(dir)/gone.safetensors: no such file")
        try assertBadInput(["eval", "--model", model, "--data", dir + "/gone"], "--data '\(dir)/gone': no such directory")
        try assertBadInput(["interpolate", dir + "/gone.png", "1", "--model", model, "--out", dir + "/s.png"], "\(dir)/gone.png: no such file")
    }

    func testADirectoryWithNoImages() throws {
        let empty = dir + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        _ = write(Array("notes\n".utf8), to: empty + "/README.txt")
        try assertBadInput(["train", "--data", empty, "--epochs", "1", "--out", dir + "/new.safetensors"],
                           "\(empty): no images found: expected PNG, JPEG, PGM or PPM files")
        try assertBadInput(["eval", "--model", model, "--data", empty], "\(empty): no images found")
    }

    func testAnUnreadableOrTruncatedPNG() throws {
        let folder = try imageFolder(dir + "/pictures", sides: [28, 28, 28, 28])
        let whole = try XCTUnwrap(FileManager.default.contents(atPath: folder + "/2.png"))
        _ = write(Array(whole.prefix(whole.count / 2)), to: folder + "/2.png")
        try assertBadInput(["train", "--data", folder, "--arch", "mlp2", "--epochs", "1", "--out", dir + "/new.safetensors"],
                           "\(folder)/2.png: truncated or corrupt PNG")
        try assertBadInput(["interpolate", folder + "/2.png", "0", "--model", model, "--out", dir + "/s.png"],
                           "\(folder)/2.png: truncated or corrupt PNG")
        let unreadable = try imageFolder(dir + "/locked", sides: [28])
        chmod(unreadable + "/0.png", 0)
        if getuid() != 0 {  // root reads it anyway; testAnUnreadableFile covers the refusal as root
            let result = try latent(["interpolate", unreadable + "/0.png", "0", "--model", model, "--out", dir + "/s.png"])
            XCTAssertEqual(result.status, 1, "no permission is the machine's refusal: \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("\(unreadable)/0.png: cannot read: Permission denied"), result.stderr)
        }
    }

    /// A file that cannot be read exits by whose fault it is: a directory named as a file is bad
    /// input (2); a read the system refuses (here EIO, which /proc/self/mem gives at offset 0,
    /// as EACCES or a failing disk would) is the machine's (1). One line either way.
    func testAnUnreadableFile() throws {
        try assertBadInput(["eval", "--model", dir], "\(dir): is a directory, expected a .safetensors file")
        try assertBadInput(["interpolate", dir, "0", "--model", model, "--out", dir + "/s.png"],
                           "\(dir): is a directory, expected an image file")
        for arguments in [["eval", "--model", "/proc/self/mem"],
                          ["interpolate", "/proc/self/mem", "0", "--model", model, "--out", dir + "/s.png"]] {
            let result = try latent(arguments)
            XCTAssertEqual(result.status, 1, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr, "latent: /proc/self/mem: cannot read: Input/output error\n")
        }
    }

    /// The core's errors name the data, not the flag; the command's line names the flag, or
    /// where else the value came from.
    func testTheCommandLineNamesTheFlag() throws {
        let file = write(Array("not a folder\n".utf8), to: dir + "/list.txt")
        try assertBadInput(["eval", "--model", model, "--data", file],
                           "latent: --data '\(file)': is a file; use fashion-mnist, synthetic, sprites, or a directory of IDX files or images")
        try assertBadInput(["train", "--data", "synthetic:0", "--epochs", "1", "--out", dir + "/new.safetensors"],
                           "latent: --data 'synthetic:0': expected synthetic, synthetic:COUNT or synthetic:COUNT:SEED")
        try assertBadInput(["train", "--data", "synthetic:64", "--epochs", "1", "--lr", "0", "--out", dir + "/new.safetensors"],
                           "latent: --lr must be positive, got 0.0")
        var settings = TrainingSettings(epochs: 1)
        settings.adam.learningRate = 0
        XCTAssertEqual(settings.problem?.description, "learningRate must be positive, got 0.0")
    }

    func testANonImageFile() throws {
        let text = write(Array("hello, not a picture\n".utf8), to: dir + "/notes.png")
        try assertBadInput(["interpolate", text, "0", "--model", model, "--out", dir + "/s.png"], "\(text): not a PNG, JPEG, PGM or PPM image")
        let folder = try imageFolder(dir + "/pictures", sides: [28, 28, 28])
        _ = write(Array("P5\n28 28\n255\n".utf8) + [1, 2, 3], to: folder + "/short.pgm")
        try assertBadInput(["train", "--data", folder, "--arch", "mlp2", "--epochs", "1", "--out", dir + "/new.safetensors"],
                           "\(folder)/short.pgm:")
        // A picture given where a checkpoint belongs.
        try assertBadInput(["eval", "--model", folder + "/0.png"], "\(folder)/0.png: not a safetensors file")
    }

    func testImagesOfMixedSizes() throws {
        // Each is fitted to the set's size.
        let folder = try imageFolder(dir + "/mixed", sides: [28, 28, 32, 28])
        let trained = try latent(["train", "--data", folder, "--arch", "mlp2", "--epochs", "1", "--out", dir + "/new.safetensors"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        // One size, even another than the model's, is fine: the images are resized by area averaging.
        let large = try imageFolder(dir + "/large", sides: [32, 32, 32, 32, 32, 32])
        let result = try latent(["eval", "--model", model, "--data", large])
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    func testACheckpointForAnotherArchitecture() throws {
        // mlp2's tensors under metadata that says mlp20.
        let (vae, _) = try Checkpoint.load(path: model)
        let mislabelled = dir + "/mislabelled.safetensors"
        try Safetensors.write(vae.parameters.map { ($0.name, $0.value) }, metadata: ["latent.architecture": "mlp20"], to: mislabelled)
        try assertBadInput(["eval", "--model", mislabelled], "\(mislabelled): tensor 'fc21.weight' has shape [2, 400], mlp20 needs [20, 400]")
        try assertBadInput(["sample", "--model", mislabelled, "--out", dir + "/g.png"], "the file is for another architecture")
        // Continuing it as something else.
        try assertBadInput(["train", "--resume", model, "--arch", "conv2", "--epochs", "2"],
                           "\(model): the checkpoint is mlp2, not conv2; drop --arch or start a new file")
        // A model for 32x32 images with 28x28 data.
        var architecture = try Architecture(parsing: "mlp(hidden:[16],latent:2)")
        architecture.image = ImageShape(channels: 1, height: 32, width: 32)
        let large = dir + "/large.safetensors"
        let configuration = ModelConfiguration(architecture: architecture, kind: .vae, reconstruction: .bce)
        try Checkpoint(configuration: configuration, data: "synthetic").save(VAE(configuration: configuration, seed: 1), to: large)
        try assertBadInput(["eval", "--model", large], "data synthetic/train has 28x28 images; architecture mlp(hidden:[16],latent:2,image:1x32x32) takes 32x32")
    }

    func testNoBundledModel_OutsideTheProject() throws {
        let dir = try temporaryDirectory()
        let copy = URL(fileURLWithPath: dir + "/latent")
        try FileManager.default.copyItem(at: Self.binary, to: copy)
        let result = try latent(["sample", "--out", "grid.png"], binary: copy, in: dir)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "latent: no bundled model: assets/models/conv2-fashion-mnist.safetensors is neither "
                       + "under this folder nor under the project of this latent binary; run it from the project folder "
                       + "or pass --model FILE\n")
        // The project's own binary finds it from any folder.
        let sampled = try latent(["sample", "--grid", "2", "--out", "grid.png"], in: dir)
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
    }

    func testStepsOutOfRange() throws {
        for steps in ["0", "1", "101"] {
            try assertBadInput(["interpolate", "0", "5", "--model", model, "--steps", steps, "--out", dir + "/s.png"],
                               "--steps must be from 2 to 100, got \(steps)")
        }
    }

    func testAnOutputPathInAMissingFolder() throws {
        let missing = dir + "/no/such/folder"
        let commands: [[String]] = [
            ["sample", "--model", model, "--out", missing + "/g.png"],
            ["reconstruct", "--model", model, "--out", missing + "/r.png"],
            ["interpolate", "0", "5", "--model", model, "--out", missing + "/s.png"],
            ["encode", "--model", model, "--out", missing + "/z.csv"],
            ["plot", "--model", model, "--out", missing + "/c.png"],
            ["train", "--data", "synthetic:64", "--epochs", "1", "--out", missing + "/m.safetensors"],
        ]
        for command in commands {
            try assertBadInput(command, "the folder \(missing) does not exist; create it first")
        }
    }

    func testAFailedCommandLeavesExistingFilesAsTheyWere() throws {
        let before = try XCTUnwrap(FileManager.default.contents(atPath: model))
        let picture = write(Array("an earlier picture".utf8), to: dir + "/picture.png")
        let table = write(Array("an earlier table".utf8), to: dir + "/z.csv")

        try assertBadInput(["train", "--data", "synthetic:64", "--epochs", "1", "--out", model],
                           "\(model): already exists; continue it with --resume, replace it with --force")
        try assertBadInput(["train", "--resume", model, "--arch", "conv2", "--epochs", "3"], "not conv2")
        try assertBadInput(["train", "--data", dir + "/gone", "--epochs", "1", "--force", "--out", model], "no such directory")
        try assertBadInput(["sample", "--model", model, "--grid", "0", "--out", picture], "--grid must be from 1 to 100")
        try assertBadInput(["interpolate", "0", dir + "/gone.png", "--model", model, "--out", picture], "no such file")
        try assertBadInput(["reconstruct", "--model", model, "--first", "1000", "--out", picture], "runs past")
        try assertBadInput(["encode", "--model", dir + "/gone.safetensors", "--out", table], "no such file")

        XCTAssertEqual(FileManager.default.contents(atPath: model), before, "the checkpoint is untouched")
        XCTAssertEqual(FileManager.default.contents(atPath: picture), Data("an earlier picture".utf8))
        XCTAssertEqual(FileManager.default.contents(atPath: table), Data("an earlier table".utf8))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "no temporary files are left behind")

        // Replacing on purpose works.
        let replaced = try latent(["train", "--data", "synthetic:64", "--arch", tinyArch, "--epochs", "1", "--force", "--out", model])
        XCTAssertEqual(replaced.status, 0, replaced.stderr)
        XCTAssertNotEqual(FileManager.default.contents(atPath: model), before)
    }
}

extension BadInputTests {
    func testFIFOsAndHugeFiles_AreRefusedUnread() throws {
        // A FIFO would block a reader for ever; a sparse file costs nothing to make.
        let fifo = dir + "/pipe.safetensors"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        try assertBadInput(["info", "--model", fifo], "\(fifo): is not a regular file (a FIFO, socket or device), expected a .safetensors file")
        let picture = dir + "/pipe.png"
        XCTAssertEqual(mkfifo(picture, 0o644), 0)
        try assertBadInput(["interpolate", picture, "0", "--model", model, "--out", dir + "/s.png"], "\(picture): is not a regular file")
        let huge = dir + "/huge.safetensors"
        XCTAssertTrue(FileManager.default.createFile(atPath: huge, contents: nil))
        XCTAssertEqual(truncate(huge, 3 << 30), 0)
        try assertBadInput(["info", "--model", huge], "\(huge): 3221225472 bytes, more than latent reads for a .safetensors file")
    }
}
