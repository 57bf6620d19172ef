import XCTest
@testable import VAECore

final class SpritesTests: XCTestCase {
    func testGenerate_IsDeterministicBySeedAndColoured() {
        let a = Sprites.generate(count: 60, seed: 3, name: "s"), b = Sprites.generate(count: 60, seed: 3, name: "s")
        XCTAssertEqual(a.pixels, b.pixels)
        XCTAssertEqual(a.labels, b.labels)
        XCTAssertNotEqual(Sprites.generate(count: 60, seed: 4, name: "s").pixels, a.pixels)
        XCTAssertEqual(a.shape, ImageShape(channels: 3, height: 32, width: 32))
        XCTAssertEqual(Set(a.labels!), Set(0..<6), "every shape comes up")
        let plane = 32 * 32
        for index in 0..<a.count {
            let image = Array(a.image(index))
            // The shape stands out from the background (the corner's colour) ...
            let corner = (image[0], image[plane], image[2 * plane])
            let differing = (0..<plane).filter { i in
                abs(image[i] - corner.0) + abs(image[plane + i] - corner.1) + abs(image[2 * plane + i] - corner.2) > 0.15
            }.count
            XCTAssertGreaterThan(differing, plane / 40, "image \(index) shows its shape")
            // ... and the three planes differ: colour, not gray.
            XCTAssertNotEqual(Array(image[0..<plane]), Array(image[plane..<(2 * plane)]))
        }
    }

    func testShapes_HaveTheirOutlines() {
        XCTAssertTrue(Sprites.contains(0, 0, 0) && !Sprites.contains(0, 0.8, 0.8))  // circle
        XCTAssertTrue(Sprites.contains(1, 0.7, 0.7) && !Sprites.contains(1, 0.9, 0))  // square
        XCTAssertTrue(Sprites.contains(2, 0, 0) && Sprites.contains(2, 0, -0.9) && !Sprites.contains(2, 0, 0.7))  // triangle, point up
        XCTAssertTrue(Sprites.contains(3, 0, 0.9) && !Sprites.contains(3, 0.5, 0.5))  // diamond
        XCTAssertTrue(Sprites.contains(4, 0, 0.9) && !Sprites.contains(4, 0.5, 0.5))  // cross
        XCTAssertTrue(Sprites.contains(5, 0.8, 0) && !Sprites.contains(5, 0, 0))  // ring
        XCTAssertEqual(Sprites.classNames.count, 6)
    }

    func testSpec_ParsesAndBoundsTheCount() throws {
        XCTAssertEqual(try DataSpec(parsing: "sprites"), .sprites(trainCount: Sprites.defaultTrainCount, seed: 1))
        XCTAssertEqual(try DataSpec(parsing: "sprites:600:9"), .sprites(trainCount: 600, seed: 9))
        XCTAssertEqual(try DataSpec(parsing: "sprites:600:9").description, "sprites:600:9")
        XCTAssertThrowsError(try DataSpec(parsing: "sprites:0"))
        XCTAssertThrowsError(try DataSpec(parsing: "sprites:50001"))
        XCTAssertThrowsError(try DataSpec(parsing: "sprites:10:x"))
        let split = try DataSpec(parsing: "sprites:60").load()
        XCTAssertEqual(split.train.count, 60)
        XCTAssertEqual(split.test.count, 10)
        XCTAssertEqual(split.test.classNames, Sprites.classNames)
    }
}
