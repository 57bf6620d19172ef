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
        try assertBadInput(["train", "--arch", "conv(filters:[16384,1],dense:1,latent:1)", "--data", "synthetic:60",
                            "--epochs", "1", "--out", out], "layer t2 would output 12845056 values per image")
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
}
