import XCTest
@testable import VAECore

final class ShapeTextTests: XCTestCase {
    func testShapes_AreWrittenInFullUpToEightSizes() {
        XCTAssertEqual([Int]().shapeText(), "[]")
        XCTAssertEqual([784, 400].shapeText(), "[784, 400]")
        XCTAssertEqual([60000, 28, 28].shapeText(bracketed: false), "60000x28x28")
        XCTAssertEqual(Array(1...8).shapeText(), "[1, 2, 3, 4, 5, 6, 7, 8]")
    }

    func testLongerShapes_AreCutWithTheirRank() {
        XCTAssertEqual(Array(1...9).shapeText(), "[1, 2, 3, 4, 5, 6, 7, 8, ... (9 dimensions)]")
        XCTAssertEqual(Array(repeating: 1, count: 1_000_000).shapeText(), "[1, 1, 1, 1, 1, 1, 1, 1, ... (1000000 dimensions)]")
        XCTAssertEqual(Array(repeating: 7, count: 255).shapeText(bracketed: false), "7x7x7x7x7x7x7x7x... (255 dimensions)")
    }
}
