import Foundation
import XCTest
@testable import VAECore

/// Headers crafted to break the reader: each one trapped, aborted on a huge allocation, or
/// printed a two-line error before the sizes were checked. Each must now give one
/// CheckpointError naming the file, and allocate nothing the file does not hold.
final class CraftedHeaderTests: XCTestCase {
    private let tinyArchitecture = "mlp(hidden:[32],latent:2)"

    /// A safetensors file from raw header JSON and data bytes.
    private func file(header: String, data: [UInt8] = []) -> [UInt8] {
        var length = UInt64(header.utf8.count).littleEndian
        return withUnsafeBytes(of: &length, Array.init) + Array(header.utf8) + data
    }

    /// A header of one tensor `w` with the given shape and offsets (JSON text), plus metadata.
    private func oneTensor(shape: String, offsets: String = "[0,4]", metadata: [String: String] = [:]) -> String {
        let meta = try! JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys])
        return "{\"__metadata__\":\(String(decoding: meta, as: UTF8.self)),\"w\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":\(offsets)}}"
    }

    private func expectParseError(_ bytes: [UInt8], contains fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Safetensors.parse(bytes, file: "crafted.safetensors"), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(error is CheckpointError, "\(type(of: error))", file: file, line: line)
            XCTAssertTrue(message.hasPrefix("crafted.safetensors: "), message, file: file, line: line)
            XCTAssertFalse(message.contains("\n"), "one line: \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    private func expectLoadError(_ bytes: [UInt8], contains fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try temporaryDirectory(self) + "/crafted.safetensors"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        XCTAssertThrowsError(try Checkpoint.load(path: path), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(error is CheckpointError, "\(type(of: error))", file: file, line: line)
            XCTAssertTrue(message.hasPrefix(path + ": "), message, file: file, line: line)
            XCTAssertFalse(message.contains("\n"), "one line: \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    // Trapped: the element count 2^32 * 2^32 overflowed in shape.reduce(1, *).
    func testShapeWhoseElementCountOverflows() {
        expectParseError(file(header: oneTensor(shape: "[4294967296,4294967296]", offsets: "[0,0]")), contains: "too many elements")
        expectParseError(file(header: oneTensor(shape: "[3037000500,3037000500,2]", offsets: "[0,0]")), contains: "too many elements")
    }

    // Trapped: count 2^62 fits, count * 4 bytes did not.
    func testByteCountThatOverflows() {
        expectParseError(file(header: oneTensor(shape: "[4611686018427387904]", offsets: "[0,0]")),
                         contains: "needs more bytes than a file can hold")
    }

    // Printed a 3 MB "one-line" error: a shape of rank 1,000,000 was shown in full.
    func testShapeOfHighRank_IsRefusedInFewWords() throws {
        expectParseError(file(header: oneTensor(shape: "[1,1,1,1,1,1,1,1,1]")), contains: "tensor 'w' has 9 dimensions, more than the 8 latent reads")
        let ones = "[" + Array(repeating: "1", count: 1_000_000).joined(separator: ",") + "]"
        let header = "{\"__metadata__\":{\"latent.architecture\":\"mlp2\"},\"fc1.weight\":{\"dtype\":\"F32\",\"shape\":\(ones),\"data_offsets\":[0,4]}}"
        let path = try temporaryDirectory(self) + "/rank.safetensors"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(file(header: header, data: [0, 0, 0, 0]))))
        XCTAssertThrowsError(try Checkpoint.load(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path): bad header: tensor 'fc1.weight' has 1000000 dimensions, more than the 8 latent reads")
        }
        // Eight are read, and a wrong shape is named in full.
        try expectLoadError(file(header: "{\"__metadata__\":{\"latent.architecture\":\"mlp2\"},\"fc1.weight\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}",
                                 data: [0, 0, 0, 0]), contains: "tensor 'fc1.weight' has shape [1, 1, 1, 1, 1, 1, 1, 1], mlp2 needs [400, 784]")
    }

    // Not a trap before, kept so: sizes that are not whole numbers in Int's range.
    func testSizesOutOfRange_AreRefused() {
        expectParseError(file(header: oneTensor(shape: "[1e300]"), data: [0, 0, 0, 0]), contains: "not a list of sizes")
        expectParseError(file(header: oneTensor(shape: "[-1]"), data: [0, 0, 0, 0]), contains: "not a list of sizes")
        expectParseError(file(header: oneTensor(shape: "[1.5]"), data: [0, 0, 0, 0]), contains: "not a list of sizes")
        expectParseError(file(header: oneTensor(shape: "[18446744073709551615]"), data: [0, 0, 0, 0]), contains: "not a list of sizes")
        expectParseError(file(header: oneTensor(shape: "[1]", offsets: "[0,1e300]"), data: [0, 0, 0, 0]), contains: "bad data_offsets")
        expectParseError(file(header: oneTensor(shape: "[1]", offsets: "[0,-4]"), data: [0, 0, 0, 0]), contains: "bad data_offsets")
        expectParseError(file(header: oneTensor(shape: "[1]", offsets: "[4,0]"), data: [0, 0, 0, 0]), contains: "needs 4 bytes")
    }

    func testOddHeaders_GiveOneLine() {
        expectParseError([], contains: "truncated: 0 bytes")
        expectParseError([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], contains: "header length 9223372036854775807")
        expectParseError([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], contains: "header length 18446744073709551615")
        expectParseError(file(header: String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)),
                         contains: "nested more than")
        expectParseError(file(header: "{\"__metadata__\":[1,2]}"), contains: "__metadata__ is not an object")
        expectParseError(file(header: "{\"__metadata__\":{\"k\":3}}"), contains: "metadata 'k' is not a string")
        // A tensor name holding a newline was printed as two lines.
        expectParseError(file(header: "{\"a\\nb\":{\"dtype\":\"F32\",\"shape\":[1]}}"), contains: "tensor 'a\\nb' lacks")
        expectParseError(file(header: "{\"w\":{\"dtype\":\"F32\\u0007\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0]),
                         contains: "dtype F32\\x07;")
        // Invalid UTF-8 in a name: not JSON.
        var bad = file(header: "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0])
        bad[10] = 0xFF
        expectParseError(bad, contains: "not a JSON object")
        // Overlapping tensors are refused before any is decoded.
        expectParseError(file(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                              data: [0, 0, 0, 0]), contains: "overlaps")
    }

    func testZeroDimensionalTensor_IsAScalar() throws {
        let parsed = try Safetensors.parse(file(header: oneTensor(shape: "[]"), data: [0, 0, 0x80, 0x3F]), file: "s")
        XCTAssertEqual(parsed.tensors["w"], Tensor(shape: [], storage: [1]))
    }

    // Trapped: 1 << 64 is 0 and the divisibility check divided by it.
    func testSixtyFourConvolutions() throws {
        let filters = Array(repeating: "1", count: 64).joined(separator: ",")
        try expectLoadError(file(header: oneTensor(shape: "[1]", metadata: ["latent.architecture": "conv(filters:[\(filters)],dense:1,latent:1)"]),
                                 data: [0, 0, 0, 0]), contains: "at most 8 convolutions, got 64")
    }

    // Aborted: the model was built (2e9 x 784 floats) before its shapes were compared.
    func testHugeHiddenLayer_FailsBeforeAllocating() throws {
        try expectLoadError(file(header: oneTensor(shape: "[1]", metadata: ["latent.architecture": "mlp(hidden:[2000000000],latent:2)"]),
                                 data: [0, 0, 0, 0]), contains: "hidden layers must be 1 to 65536 wide")
        // Within every bound but far larger than the file: refused by its shapes, not by a failed allocation.
        try expectLoadError(file(header: oneTensor(shape: "[1]", metadata: ["latent.architecture": "mlp(hidden:[4096,4096],latent:4096)"]),
                                 data: [0, 0, 0, 0]), contains: "tensor 'fc1.weight' is missing")
        // Each layer within bounds, the whole 116 billion parameters.
        try expectLoadError(file(header: oneTensor(shape: "[1]", metadata: ["latent.architecture": "conv(filters:[65536,65536],dense:16,latent:2)"]),
                                 data: [0, 0, 0, 0]), contains: "the model would have 116026572885 parameters")
    }

    // Loaded: a 120 KB file whose every tensor matched, for a model whose layers output 10.5
    // million values per image (42 MB), so that scoring a batch asked for gigabytes.
    func testSmallFileForAModelWithHugeActivations() throws {
        let architecture = Architecture(body: .conv(filters: [40, 1, 1, 1, 1, 1, 1, 1], dense: 1), latent: 1,
                                        image: ImageShape(channels: 1, height: 512, width: 512))
        let shapes = LayerPlan(withinLayerBounds: ModelConfiguration(architecture: architecture)).parameterShapes
        let tensors = shapes.map { ($0.name, Tensor(zeros: $0.shape)) }
        XCTAssertLessThan(tensors.reduce(0) { $0 + $1.1.count }, 1 << 20, "the file is small")
        try expectLoadError(Safetensors.encode(tensors, metadata: ["latent.architecture": architecture.name]),
                            contains: "bad metadata: architecture 'conv(filters:[40,1,1,1,1,1,1,1],dense:1,latent:1,image:1x512x512)': layer dec.7 would output 10485760 values per image")
        // Saved from PyTorch, without metadata: not recognised as any model latent builds.
        try expectLoadError(Safetensors.encode(tensors, metadata: [:]), contains: "not a known PyTorch layout")
    }

    // Trapped: channels * height * width overflowed.
    func testHugeImageInMetadata() throws {
        try expectLoadError(file(header: oneTensor(shape: "[1]", metadata: ["latent.architecture": tinyArchitecture,
                                                                           "latent.image": "1x9999999999x9999999999"]),
                                 data: [0, 0, 0, 0]), contains: "image sides must be 1 to 512")
        try expectLoadError(file(header: oneTensor(shape: "[1]", metadata: ["latent.architecture": tinyArchitecture, "latent.image": "1x0x28"]),
                                 data: [0, 0, 0, 0]), contains: "image sides must be")
        try expectLoadError(file(header: oneTensor(shape: "[1]", metadata: ["latent.architecture": tinyArchitecture, "latent.image": "1xx28"]),
                                 data: [0, 0, 0, 0]), contains: "is not CxHxW")
        try expectLoadError(file(header: oneTensor(shape: "[1]", metadata: ["latent.architecture": "mlp(hidden:[8],latent:2,image:5x28x28)"]),
                                 data: [0, 0, 0, 0]), contains: "1 to 4 channels")
    }

    // Trapped: a PyTorch file whose c1 has 0 filters made dense.shape[1] / filters.last! divide by zero.
    func testInferredConvWithZeroFilters() throws {
        let header = "{\"c1.weight\":{\"dtype\":\"F32\",\"shape\":[0,1,3,3],\"data_offsets\":[0,0]},"
            + "\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[4,16],\"data_offsets\":[0,256]},"
            + "\"mu.weight\":{\"dtype\":\"F32\",\"shape\":[2,4],\"data_offsets\":[256,288]}}"
        try expectLoadError(file(header: header, data: Array(repeating: 0, count: 288)), contains: "not a known PyTorch layout")
    }

    // Trapped: fc1 of shape [0, Int.max] holds no bytes, and side * side overflowed.
    func testInferredMLPWithAHugeImage() throws {
        let header = "{\"fc1.weight\":{\"dtype\":\"F32\",\"shape\":[0,9223372036854775807],\"data_offsets\":[0,0]},"
            + "\"fc21.weight\":{\"dtype\":\"F32\",\"shape\":[2,0],\"data_offsets\":[0,0]}}"
        try expectLoadError(file(header: header), contains: "not a known PyTorch layout")
        XCTAssertNil(Checkpoint.inferConfiguration(from: ["c1.weight": Tensor(zeros: [1, 1, 3, 3]), "fc.weight": Tensor(zeros: [4, 0]),
                                                          "mu.weight": Tensor(zeros: [2, 4])]), "an empty bottom")
        XCTAssertNil(Checkpoint.inferConfiguration(from: ["c1.weight": Tensor(zeros: [2, 1, 3, 3]), "fc.weight": Tensor(zeros: [0, 2 << 40]),
                                                          "mu.weight": Tensor(zeros: [2, 4])]), "a bottom beyond the largest image")
        XCTAssertNil(Checkpoint.inferConfiguration(from: ["fc1.weight": Tensor(zeros: [8, 783]), "fc21.weight": Tensor(zeros: [2, 8])]),
                     "not square")
    }

    /// A real tiny checkpoint's header with some metadata replaced.
    private func tinyCheckpoint(metadata changes: [String: String]) throws -> [UInt8] {
        let configuration = ModelConfiguration(architecture: try Architecture(parsing: tinyArchitecture))
        let model = VAE(configuration: configuration, seed: 1)
        let record = EpochRecord(epoch: 1, step: 2, train: LossTerms(reconstruction: 1, kl: 2, total: 3),
                                 test: EvaluationResult(count: 4, reconstruction: 5, kl: 6), beta: 1, trainSeconds: 7, imagesPerSecond: 8)
        let path = try temporaryDirectory(self) + "/tiny.safetensors"
        try Checkpoint(configuration: configuration, training: TrainingSettings(epochs: 1), history: [record]).save(model, to: path)
        let parsed = try Safetensors.read(path: path)
        var metadata = parsed.metadata
        for (key, value) in changes { metadata[key] = value }
        return try Safetensors.encode(parsed.order.map { ($0, parsed.tensors[$0]!) }, metadata: metadata)
    }

    // Trapped later: train --resume counted on from step Int.max (step += 1 overflowed).
    func testHistoryWithAbsurdNumbers() throws {
        func history(epoch: Int = 1, step: Int = 2, count: Int = 4) -> String {
            "[{\"beta\":1,\"epoch\":\(epoch),\"imagesPerSecond\":1,\"step\":\(step),\"test\":{\"count\":\(count),\"kl\":1,\"reconstruction\":1},"
                + "\"train\":{\"kl\":1,\"reconstruction\":1,\"total\":2},\"trainSeconds\":1}]"
        }
        try expectLoadError(tinyCheckpoint(metadata: ["latent.history": history(step: Int.max)]), contains: "ends at step 9223372036854775807")
        try expectLoadError(tinyCheckpoint(metadata: ["latent.history": history(step: -1)]), contains: "ends at step -1")
        try expectLoadError(tinyCheckpoint(metadata: ["latent.history": history(epoch: -5)]), contains: "numbered epoch -5")
        try expectLoadError(tinyCheckpoint(metadata: ["latent.history": history(count: -4)]), contains: "negative test count")
        try expectLoadError(tinyCheckpoint(metadata: ["latent.history": history(step: 1) + "x"]), contains: "latent.history is not a valid JSON")
        try expectLoadError(tinyCheckpoint(metadata: ["latent.history": String(repeating: "[", count: 50_000)]), contains: "latent.history is not")
        try expectLoadError(tinyCheckpoint(metadata: ["latent.training": "{\"epochs\":-3,\"batchSize\":-1,\"beta\":1,\"seed\":1,\"importanceSamples\":0,"
                                                      + "\"adam\":{\"learningRate\":0.001,\"beta1\":0.9,\"beta2\":0.999,\"epsilon\":1e-8}}"]),
                            contains: "latent.training: epochs must be from 1 to 1000000, got -3")
        try expectLoadError(tinyCheckpoint(metadata: ["latent.training": "{\"epochs\":1e300}"]), contains: "latent.training is not valid JSON")
    }

    func testArchitectureTextIsQuotedOnOneShortLine() throws {
        try expectLoadError(tinyCheckpoint(metadata: ["latent.architecture": "mlp(hidden:[32],\nlatent:2,x:1)"]),
                            contains: "architecture 'mlp(hidden:[32],\\nlatent:2,x:1)': unknown field 'x'")
        let long = "mlp(hidden:[" + Array(repeating: "32", count: 100_000).joined(separator: ",") + "],latent:2)"
        let path = try temporaryDirectory(self) + "/long.safetensors"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(try tinyCheckpoint(metadata: ["latent.architecture": long]))))
        XCTAssertThrowsError(try Checkpoint.load(path: path)) { error in
            XCTAssertLessThan("\(error)".count, path.count + 250, "\(error)")
            XCTAssertTrue("\(error)".contains("at most 8 hidden layers, got 100000"), "\(error)")
        }
        try expectLoadError(tinyCheckpoint(metadata: ["latent.architecture": "mlp(hidden:[32],latent:2,latent:3)"]), contains: "'latent' is given twice")
    }
}
