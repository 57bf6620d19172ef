import XCTest
@testable import VAECore

final class CrossFadeTests: XCTestCase {
    func testEnds_AreTheTwoImagesExactly() {
        var rng = RandomGenerator(seed: 2)
        let a = (0..<784).map { _ in rng.uniform(0, 1) }, b = (0..<784).map { _ in rng.uniform(0, 1) }
        let fade = CrossFade(from: a, to: b)
        XCTAssertEqual(fade.image(at: 0), a)
        XCTAssertEqual(fade.image(at: 1), b)
        let frames = fade.frames(count: 9)
        XCTAssertEqual(frames.count, 9)
        XCTAssertEqual(frames.first, a)
        XCTAssertEqual(frames.last, b)
    }

    func testMiddleFrame_IsThePixelMean() {
        let fade = CrossFade(from: [0, 1, 0.5, 0.2], to: [1, 0, 0.5, 0.6])
        assertClose(fade.frame(1, of: 3), [0.5, 0.5, 0.5, 0.4])
        assertClose(fade.frame(1, of: 5), [0.25, 0.75, 0.5, 0.3])
    }
}
