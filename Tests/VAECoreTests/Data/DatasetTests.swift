import XCTest
@testable import VAECore

final class DatasetTests: XCTestCase {
    func testCaptions_NameTheClassWhenThereIsOne() {
        let shape = ImageShape(channels: 1, height: 2, width: 2)
        let pixels = [Float](repeating: 0, count: 3 * 4)
        let labelled = Dataset(name: "t", shape: shape, images: pixels, labels: [2, 0, 1], classNames: ["Bag", "Coat", "Shirt"])
        XCTAssertEqual(labelled.className(of: 0), "Shirt")
        XCTAssertEqual(labelled.caption(of: 1), "#1 (Bag)")
        let unlabelled = Dataset(name: "u", shape: shape, images: pixels, labels: nil, classNames: [])
        XCTAssertNil(unlabelled.className(of: 2))
        XCTAssertEqual(unlabelled.caption(of: 2), "#2")
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
        XCTAssertEqual(synthetic.test.images, SyntheticDigits.split(trainCount: 60, seed: 4).test.images, "the same test set")
    }
}
