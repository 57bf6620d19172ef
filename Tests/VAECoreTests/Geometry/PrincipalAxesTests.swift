import XCTest
@testable import VAECore

final class PrincipalAxesTests: XCTestCase {
    func testAnAnisotropicCloud_GivesItsDirectionsOfLargestVariance() {
        // Points spread along (3, 4, 0)/5 with a little noise across it, about (1, 2, 0).
        var rng = RandomGenerator(seed: 1)
        var points = Tensor(zeros: [400, 3])
        for i in 0..<400 {
            let (t, noise) = (rng.normal() * 3, rng.normal() * 0.1)
            points[i * 3] = 1 + t * 0.6
            points[i * 3 + 1] = 2 + t * 0.8
            points[i * 3 + 2] = noise
        }
        let axes = PrincipalAxes(points, count: 2)
        XCTAssertEqual(axes.mean[0], 1, accuracy: 0.3)
        XCTAssertEqual(axes.mean[1], 2, accuracy: 0.4)
        XCTAssertEqual(axes.directions.count, 2)
        XCTAssertEqual(axes.directions[0][0], 0.6, accuracy: 0.01)
        XCTAssertEqual(axes.directions[0][1], 0.8, accuracy: 0.01)
        let d1 = axes.directions[1]
        XCTAssertEqual(zip(axes.directions[0], d1).reduce(0) { $0 + $1.0 * $1.1 }, 0, accuracy: 1e-4)
        XCTAssertEqual(d1.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-4)
    }

    func testAxes_AreDeterministicAndSignedByTheirLargestComponent() {
        var rng = RandomGenerator(seed: 5)
        var points = Tensor(zeros: [200, 4])
        for i in 0..<(200 * 4) { points[i] = rng.normal() * Float(1 + i % 4) }
        let (first, second) = (PrincipalAxes(points, count: 3), PrincipalAxes(points, count: 3))
        XCTAssertEqual(first.directions, second.directions)
        for direction in first.directions {
            XCTAssertGreaterThan(direction.max()!, -direction.min()!)
        }
        // The widest coordinate (the fourth, 4 times the first's spread) comes first.
        XCTAssertGreaterThan(abs(first.directions[0][3]), 0.9)
    }
}
