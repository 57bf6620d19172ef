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
            XCTAssertEqual((error as? DataError)?.message, "data spec 'synthetic:200001': at most 200000 synthetic images")
        }
        XCTAssertThrowsError(try DataSpec(parsing: "synthetic:99999999999999999999"))
    }
}
