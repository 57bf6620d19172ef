import Foundation
import XCTest
import VAECore

/// Options and files within every per-item bound whose totals crashed latent or made it
/// allocate gigabytes: each is now refused with one line and exit 2, before the work starts.
final class SizeLimitTests: CommandTestCase {

    // Aborted: "failed to allocate 154618822688 bytes", and 17 TB for the MLP.
    func testTrain_ArchitecturesTooLargeToBuild_AreRefused() throws {
        let out = try temporaryDirectory() + "/huge.safetensors"
        try assertBadInput(["train", "--arch", "conv(filters:[65536,65536],dense:16,latent:2)", "--data", "synthetic:60",
                            "--epochs", "1", "--out", out], "the model would have 116026572885 parameters, more than the 134217728")
        try assertBadInput(["train", "--arch", "mlp(hidden:[65536],latent:20,image:4x4096x4096)", "--data", "synthetic:60",
                            "--epochs", "1", "--out", out], "image sides must be 1 to 512 pixels, got 4096x4096")
        try assertBadInput(["train", "--arch", "conv(filters:[40,1,1,1,1,1,1,1],dense:1,latent:1,image:1x512x512)", "--data", "synthetic:60",
                            "--epochs", "1", "--out", out], "layer dec.7 would output 10485760 values per image")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    // Printed a 3 MB "one-line" error: the tensor's shape of rank 1,000,000 in full.
    func testInfo_ShapeOfHighRank_IsOneShortLine() throws {
        let path = try temporaryDirectory() + "/rank.safetensors"
        let ones = "[" + Array(repeating: "1", count: 1_000_000).joined(separator: ",") + "]"
        let header = #"{"__metadata__":{"latent.architecture":"mlp2"},"fc1.weight":{"dtype":"F32","shape":"# + ones + #","data_offsets":[0,4]}}"#
        var length = UInt64(header.utf8.count).littleEndian
        let bytes = withUnsafeBytes(of: &length, Array.init) + Array(header.utf8) + [0, 0, 0, 0]
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let result = try latent(["info", "--model", path])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "latent: \(path): bad header: tensor 'fc1.weight' has 1000000 dimensions, more than the 8 latent reads\n")
    }

    // Inflated 5.3 GB for 78 s (9.5 GB and 3 minutes in a debug build) before saying the images
    // were 32768x32768: a 1 MB gzip of that header and 2^30 zeros. Here 64 MiB of zeros stand
    // for the 2^30, which makes no difference to when it is refused: at the header.
    func testTrain_IDXOfHugeImages_IsRefusedFromTheHeader() throws {
        let dir = try temporaryDirectory()
        let data = dir + "/bomb"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0x80, 0, 0, 0, 0x80, 0]  // [1, 32768, 32768]
        for split in ["train", "t10k"] {
            let path = "\(data)/\(split)-images-idx3-ubyte"
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(header + [UInt8](repeating: 0, count: 64 << 20))))
            let gzip = Process()
            gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gzip.arguments = ["-1", path]
            try gzip.run()
            gzip.waitUntilExit()
            XCTAssertEqual(gzip.terminationStatus, 0)
        }
        try assertBadInput(["train", "--data", data, "--epochs", "1", "--out", dir + "/m.safetensors"],
                           "\(data)/train-images-idx3-ubyte.gz: IDX header declares images of 32768x32768 pixels, larger than the 512x512 latent's models take")
    }

    // With 2 to 5 images no sixth was held out: training stopped on a test loss of 0/0 (NaN)
    // as if it had diverged, and eval printed "-nan over 0 images".
    func testAFolderOfThreeImages_TrainsAndEvaluatesOnTheLast() throws {
        let dir = try temporaryDirectory()
        let data = dir + "/three"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        for i in 0..<3 {
            let pixels = (0..<784).map { Float(($0 * (i + 2)) % 11) / 10 }
            try ImageFile.write(ImageFile.Gray(width: 28, height: 28, pixels: pixels), to: "\(data)/\(i).png")
        }
        let model = dir + "/m.safetensors"
        let trained = try latent(["train", "--data", data, "--arch", tinyArch, "--epochs", "2", "--json", "--out", model])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let lines = trained.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, trained.stdout)
        for line in lines {
            let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let loss = try XCTUnwrap(record["test_loss"] as? Double, "\(line)")
            XCTAssertTrue(loss.isFinite && loss > 0, "\(line)")
        }
        let evaluated = try latent(["eval", "--model", model, "--json"])
        XCTAssertEqual(evaluated.status, 0, evaluated.stderr)
        let scores = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(scores["images"] as? Int, 1)
        XCTAssertTrue((scores["negative_elbo"] as? Double).map { $0.isFinite && $0 > 0 } ?? false, evaluated.stdout)
    }

    /// A valid model of 512x512 images, whose pictures outgrow `ImageFile.maximumPixels` at
    /// ordinary --grid and --scale values.
    private func largeImageModel() throws -> String {
        let path = try temporaryDirectory() + "/large.safetensors"
        let configuration = ModelConfiguration(architecture: try Architecture(parsing: "mlp(hidden:[1],latent:2,image:1x512x512)"))
        try Checkpoint(configuration: configuration, data: "synthetic").save(VAE(configuration: configuration, seed: 1), to: path)
        return path
    }

    // Built the whole picture first: 15 x 15 tiles of 1024x1024 pixels at the defaults, a
    // picture of 237 million pixels (948 MB), and 42 GB with --grid 100.
    func testPictureCommands_RefuseAPictureLargerThanAnyImageBeforeDecoding() throws {
        let model = try largeImageModel()
        let dir = try temporaryDirectory()
        let out = dir + "/p.png"
        try assertBadInput(["sample", "--model", model, "--out", out],
                           "the picture would be 15392x15392 pixels, more than the 67108864 (8192x8192) latent writes; lower --grid or --scale")
        try assertBadInput(["sample", "--model", model, "--grid", "100", "--scale", "16", "--out", out], "would be 819402x819402 pixels")
        try assertBadInput(["sample", "--model", model, "--random", "64", "--out", out],
                           "the picture would be 8210x8210 pixels, more than the 67108864 (8192x8192) latent writes; lower --random or --scale")
        try assertBadInput(["reconstruct", "--model", model, "--count", "40", "--out", out],
                           "the picture would be 41042x2054 pixels, more than the 67108864 (8192x8192) latent writes; lower --count or --scale")
        try assertBadInput(["interpolate", "0", "1", "--model", model, "--steps", "40", "--out", out],
                           "the picture would be 41042x2054 pixels, more than the 67108864 (8192x8192) latent writes; lower --steps")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        // Within the bound the picture is written, as large as was computed.
        let written = try latent(["sample", "--model", model, "--grid", "3", "--scale", "1", "--out", out])
        XCTAssertEqual(written.status, 0, written.stderr)
        XCTAssertEqual(written.stdout, "wrote \(out): 9 images, 1544x1544 pixels\n")
        let picture = try ImageFile.read(path: out)
        XCTAssertEqual([picture.width, picture.height], [1544, 1544])
    }
}
