import Foundation
import XCTest
@testable import VAECore

final class SafetensorsTests: XCTestCase {
    func testRoundTrip_KeepsTensorsShapesAndMetadata() throws {
        let a = randomTensor([3, 4], seed: 1), b = randomTensor([5], seed: 2)
        let bytes = try Safetensors.encode([("a.weight", a), ("b", b)], metadata: ["k": "v", "json": "{\"x\":[1,2]}"])
        XCTAssertEqual(bytes.count % 4, 0)
        let file = try Safetensors.parse(bytes, file: "mem")
        XCTAssertEqual(file.tensors["a.weight"], a)
        XCTAssertEqual(file.tensors["b"], b)
        XCTAssertEqual(file.order, ["a.weight", "b"])
        XCTAssertEqual(file.metadata["json"], "{\"x\":[1,2]}")
    }

    private func expectError(_ bytes: [UInt8], contains fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Safetensors.parse(bytes, file: "model.safetensors"), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("model.safetensors: "), message, file: file, line: line)
            XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testCorruptFiles_GiveOneClearError() throws {
        let good = try Safetensors.encode([("w", randomTensor([4, 4], seed: 1))], metadata: [:])
        expectError([1, 2, 3], contains: "truncated")
        expectError(Array(good.dropLast(5)), contains: "truncated")
        expectError(Array(good.prefix(20)), contains: "truncated")
        var badLength = good
        badLength[7] = 0x7F
        expectError(badLength, contains: "header length")
        var badJSON = good
        badJSON[8] = UInt8(ascii: "[")
        expectError(badJSON, contains: "bad header")
        expectError(good + [0, 0, 0, 0], contains: "after the last tensor")
        let header = Array("{\"w\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}    ".utf8)
        var length = UInt64(header.count).littleEndian
        let odd = withUnsafeBytes(of: &length, Array.init) + header + [0]
        expectError(odd, contains: "dtype I8")
    }

    func testWriteIsAtomic_AndRefusesAMissingFolder() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/m.safetensors"
        try Safetensors.write([("w", randomTensor([2], seed: 1))], metadata: [:], to: path)
        try Safetensors.write([("w", randomTensor([3], seed: 2))], metadata: [:], to: path)
        XCTAssertEqual(try Safetensors.read(path: path).tensors["w"]?.shape, [3])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["m.safetensors"], "no temporary file left")
        XCTAssertThrowsError(try Safetensors.write([], metadata: [:], to: dir + "/missing/m.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
    }

    /// A file written by Python's safetensors package (see Fixtures/make_pytorch_checkpoint.py).
    func testPythonWrittenCheckpoint_LoadsWithItsArchitectureInferred() throws {
        let path = try XCTUnwrap(Bundle.module.path(forResource: "pytorch_mlp8", ofType: "safetensors", inDirectory: "Fixtures"))
        let (model, checkpoint) = try Checkpoint.load(path: path)
        XCTAssertEqual(checkpoint.configuration.architecture, Architecture(body: .mlp(hidden: [8]), latent: 2))
        XCTAssertEqual(checkpoint.configuration.kind, .vae)
        // The fixture's formula: sin(i * 0.37 + sum of the name's character codes) * 0.1.
        func expected(_ name: String, _ i: Int) -> Float {
            Float(sin(Double(i) * 0.37 + Double(name.unicodeScalars.reduce(0) { $0 + Int($1.value) })) * 0.1)
        }
        let fc1 = try XCTUnwrap(model.parameters.first { $0.name == "fc1.weight" })
        XCTAssertEqual(fc1.value.shape, [8, 784])
        for i in [0, 1, 783, 784, 6271] {
            XCTAssertEqual(fc1.value[i], expected("fc1.weight", i), accuracy: 1e-6)
        }
        let fc4Bias = try XCTUnwrap(model.parameters.first { $0.name == "fc4.bias" })
        XCTAssertEqual(fc4Bias.value[500], expected("fc4.bias", 500), accuracy: 1e-6)
        let image = model.decode(point: [0.5, -0.5])
        XCTAssertEqual(image.count, 784)
        XCTAssertTrue(image.allSatisfy { $0 > 0 && $0 < 1 })
    }
}

final class CheckpointTests: XCTestCase {
    func testSaveAndLoad_RestoresWeightsSettingsAndHistory() throws {
        let dir = try temporaryDirectory(self)
        let configuration = ModelConfiguration(architecture: .conv2, kind: .vae, reconstruction: .mse)
        let model = VAE(configuration: configuration, seed: 5)
        let record = EpochRecord(epoch: 1, step: 10, train: LossTerms(reconstruction: 1, kl: 2, total: 3),
                                 test: EvaluationResult(count: 4, reconstruction: 5, kl: 6), beta: 1,
                                 trainSeconds: 7, imagesPerSecond: 8)
        let checkpoint = Checkpoint(configuration: configuration, training: TrainingSettings(epochs: 3, beta: 2),
                                    history: [record], data: "synthetic")
        try checkpoint.save(model, to: dir + "/c.safetensors")
        let (loaded, info) = try Checkpoint.load(path: dir + "/c.safetensors")
        XCTAssertEqual(info.configuration, configuration)
        XCTAssertEqual(info.training, TrainingSettings(epochs: 3, beta: 2))
        XCTAssertEqual(info.history, [record])
        XCTAssertEqual(info.data, "synthetic")
        XCTAssertEqual(loaded.parameters.map(\.name), model.parameters.map(\.name))
        XCTAssertEqual(loaded.parameters.map(\.value), model.parameters.map(\.value))
        XCTAssertEqual(model.parameters.map(\.name).prefix(4), ["c1.weight", "c1.bias", "c2.weight", "c2.bias"])
    }

    private func expectLoadError(_ tensors: [(String, Tensor)], metadata: [String: String], contains fragment: String,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/x.safetensors"
        try Safetensors.write(tensors.map { (name: $0.0, tensor: $0.1) }, metadata: metadata, to: path)
        XCTAssertThrowsError(try Checkpoint.load(path: path), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(path + ": "), message, file: file, line: line)
            XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testLoad_NamesWhatIsWrong() throws {
        let mlp20 = VAE(configuration: ModelConfiguration(architecture: .mlp20), seed: 1)
        let tensors = mlp20.parameters.map { ($0.name, $0.value) }
        // Another architecture: the metadata says mlp2, the tensors are mlp20's.
        try expectLoadError(tensors, metadata: ["latent.architecture": "mlp2"], contains: "another architecture")
        // A missing tensor.
        try expectLoadError(Array(tensors.dropLast()), metadata: ["latent.architecture": "mlp20"], contains: "'fc4.bias' is missing")
        // A stray tensor.
        try expectLoadError(tensors + [("extra", Tensor(zeros: [1]))], metadata: ["latent.architecture": "mlp20"],
                            contains: "unexpected tensor 'extra'")
        // Bad metadata.
        try expectLoadError(tensors, metadata: ["latent.architecture": "resnet50"], contains: "bad metadata")
        try expectLoadError(tensors, metadata: ["latent.architecture": "mlp20", "latent.kind": "gan"], contains: "latent.kind")
        // Not a model at all.
        try expectLoadError([("embedding", Tensor(zeros: [3]))], metadata: [:], contains: "not a latent checkpoint")
        // NaN weights.
        var poisoned = tensors
        poisoned[0].1[0] = .nan
        try expectLoadError(poisoned, metadata: ["latent.architecture": "mlp20"], contains: "NaN")
    }
}
