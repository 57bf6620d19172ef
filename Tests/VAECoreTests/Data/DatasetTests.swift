import XCTest
@testable import VAECore

final class DatasetTests: XCTestCase {
    func testCaptions_NameTheClassWhenThereIsOne() {
        let shape = ImageShape(channels: 1, height: 2, width: 2)
        let pixels = [UInt8](repeating: 0, count: 3 * 4)
        let labelled = Dataset(name: "t", shape: shape, pixels: pixels, labels: [2, 0, 1], classNames: ["Bag", "Coat", "Shirt"])
        XCTAssertEqual(labelled.className(of: 0), "Shirt")
        XCTAssertEqual(labelled.caption(of: 1), "#1 (Bag)")
        let unlabelled = Dataset(name: "u", shape: shape, pixels: pixels, labels: nil, classNames: [])
        XCTAssertNil(unlabelled.className(of: 2))
        XCTAssertEqual(unlabelled.caption(of: 2), "#2")
    }

    func testBytes_BecomeIntensitiesByTheImageAndByTheChunk() {
        let shape = ImageShape(channels: 1, height: 1, width: 3)
        let data = Dataset(name: "t", shape: shape, intensities: [0, 0.5, 1, 1.2, -0.1, 0.2], labels: nil, classNames: [])
        XCTAssertEqual(data.pixels, [0, 128, 255, 255, 0, 51], "rounded and clamped")
        XCTAssertEqual(data.image(1), [1, 0, 0.2])
        XCTAssertEqual(data.image(0)[1], 128 / 255)
        var seen: [(Int, Int, [Float])] = []
        data.forEachChunk(of: 1) { start, n, values in seen.append((start, n, Array(values))) }
        XCTAssertEqual(seen.map(\.0), [0, 1])
        XCTAssertEqual(seen.map(\.2), [data.image(0), data.image(1)])
        XCTAssertEqual(data.tensor.shape, [2, 1, 1, 3])
        XCTAssertEqual(data.tensor.storage, data.image(0) + data.image(1))
    }
}

final class DataSpecTests: XCTestCase {
    func testSyntheticCount_IsBounded() throws {
        XCTAssertEqual(try DataSpec(parsing: "synthetic:200000:3"), .synthetic(trainCount: 200_000, seed: 3))
        XCTAssertThrowsError(try DataSpec(parsing: "synthetic:200001")) { error in
            XCTAssertEqual((error as? DataSpec.SpecError)?.description, "data spec 'synthetic:200001': at most 200000 synthetic images")
        }
        XCTAssertThrowsError(try DataSpec(parsing: "synthetic:99999999999999999999"))
    }
}

extension DataSpecTests {
    func testTestOnly_NeverReadsTheTrainingFiles() throws {
        let dir = try temporaryDirectory(self)
        let images = IDX.encode(dimensions: [3, 28, 28], values: [UInt8](repeating: 9, count: 3 * 784))
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/t10k-images-idx3-ubyte", contents: Data(images)))
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/train-images-idx3-ubyte", contents: Data("broken".utf8)))
        let spec = try DataSpec(parsing: dir)
        let split = try spec.load(testOnly: true)
        XCTAssertEqual(split.test.count, 3)
        XCTAssertEqual(split.train.count, 0)
        XCTAssertThrowsError(try spec.load()) { error in
            XCTAssertTrue("\(error)".contains("train-images-idx3-ubyte"), "\(error)")
        }
        let synthetic = SyntheticDigits.split(trainCount: 60, seed: 4, testOnly: true)
        XCTAssertEqual(synthetic.train.count, 0)
        XCTAssertEqual(synthetic.test.pixels, SyntheticDigits.split(trainCount: 60, seed: 4).test.pixels, "the same test set")
    }
}
