import Foundation
import XCTest
import VAECore

/// Names read from files (class folders, a checkpoint's data spec) never break a line of
/// output or send the terminal a command.
final class HostileTextTests: CommandTestCase {
    func testClassNamesFromFolders_AreEscapedInTheOutput() throws {
        let dir = try temporaryDirectory()
        let data = dir + "/photos"
        for (index, folder) in ["plain", "red\u{1B}[31m\nnext"].enumerated() {
            try FileManager.default.createDirectory(atPath: "\(data)/\(folder)", withIntermediateDirectories: true)
            for item in 0..<6 {
                let pixels = (0..<784).map { Float(($0 + item * 7 + index * 3) % 11) / 10 }
                try ImageFile.write(ImageFile.Gray(width: 28, height: 28, pixels: pixels), to: "\(data)/\(folder)/\(item).png")
            }
        }
        let model = dir + "/m.safetensors"
        let trained = try latent(["train", "--data", data, "--arch", tinyArch, "--epochs", "1", "--out", model])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let scored = try latent(["score", "--model", model, "--top", "2"])
        XCTAssertEqual(scored.status, 0, scored.stderr)
        XCTAssertFalse(scored.stdout.contains("\u{1B}"), scored.stdout)
        XCTAssertTrue(scored.stdout.contains("red\\x1b[31m\\nnext"), scored.stdout)
        XCTAssertEqual(scored.stdout.split(separator: "\n").count, 3, "a header and the two test images:\n\(scored.stdout)")
    }

    func testADataSpecWithControlCharacters_IsOneLineOfError() throws {
        let dir = try temporaryDirectory()
        let model = try trainSmallModel(dir + "/m.safetensors", arch: tinyArch)
        let (vae, checkpoint) = try Checkpoint.load(path: model)
        var crafted = checkpoint
        crafted.data = "gone\n\u{1B}[2Jfolder"
        let craftedPath = dir + "/crafted.safetensors"
        try crafted.save(vae, to: craftedPath)
        try assertBadInput(["eval", "--model", craftedPath], "data spec 'gone\\n\\x1b[2Jfolder': no such directory")
    }

    func testKnownClassNamesThatDoNotCoverTheLabels_FallBackToNumbers() throws {
        // A folder whose name says fashion, holding labels 0 to 11: not Fashion-MNIST's ten classes.
        let dir = try temporaryDirectory() + "/fashion-like"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (split, count) in [("train", 24), ("t10k", 12)] {
            let images = (0..<count * 784).map { UInt8($0 % 251) }
            let labels = (0..<count).map { UInt8($0 % 12) }
            XCTAssertTrue(FileManager.default.createFile(atPath: "\(dir)/\(split)-images-idx3-ubyte",
                                                         contents: Data(IDX.encode(dimensions: [count, 28, 28], values: images))))
            XCTAssertTrue(FileManager.default.createFile(atPath: "\(dir)/\(split)-labels-idx1-ubyte",
                                                         contents: Data(IDX.encode(dimensions: [count], values: labels))))
        }
        let model = dir + "/m.safetensors"
        let trained = try latent(["train", "--data", dir, "--arch", tinyArch, "--epochs", "1", "--out", model])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let scored = try latent(["score", "--model", model, "--top", "12"])
        XCTAssertEqual(scored.status, 0, scored.stderr)
        XCTAssertTrue(scored.stdout.contains(" 11 "), "label 11 is named by its number:\n\(scored.stdout)")
    }
}
