import XCTest
@testable import VAECore

final class LatentPathTests: XCTestCase {
    private func norm(_ v: [Float]) -> Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    func testBothPaths_StartAndEndExactlyAtTheTwoPoints() {
        var rng = RandomGenerator(seed: 4)
        let p = (0..<16).map { _ in rng.normal() }, q = (0..<16).map { _ in rng.normal() }
        for path in LatentPath.allCases {
            XCTAssertEqual(path.point(at: 0, from: p, to: q), p, "\(path)")
            XCTAssertEqual(path.point(at: 1, from: p, to: q), q, "\(path)")
            let points = path.points(count: 7, from: p, to: q)
            XCTAssertEqual(points.count, 7)
            XCTAssertEqual(points.first, p)
            XCTAssertEqual(points.last, q)
        }
    }

    func testLinear_MidpointIsTheMean() {
        let p: [Float] = [3, 0, -1], q: [Float] = [0, 3, 1]
        XCTAssertEqual(LatentPath.linear.point(2, of: 5, from: p, to: q), [1.5, 1.5, 0])
        XCTAssertEqual(LatentPath.linear.point(at: 0.5, from: p, to: q), [1.5, 1.5, 0])
    }

    func testSpherical_KeepsTheNormBetweenEndsOfEqualNorm() {
        var rng = RandomGenerator(seed: 9)
        let p = (0..<20).map { _ in rng.normal() }
        var q = (0..<20).map { _ in rng.normal() }
        q = q.map { $0 * norm(p) / norm(q) }
        for (i, point) in LatentPath.spherical.points(count: 11, from: p, to: q).enumerated() {
            XCTAssertEqual(norm(point), norm(p), accuracy: 1e-4 * norm(p), "point \(i)")
        }
        // The straight line cuts inside the sphere.
        XCTAssertLessThan(norm(LatentPath.linear.point(at: 0.5, from: p, to: q)), 0.99 * norm(p))
        // A quarter circle: the midpoint is at 45 degrees.
        let arc = LatentPath.spherical.point(2, of: 5, from: [3, 0], to: [0, 3])
        XCTAssertEqual(arc[0], 3 / Float(2).squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(arc[1], 3 / Float(2).squareRoot(), accuracy: 1e-5)
    }

    func testSpherical_IsTheLineForParallelOrZeroEnds() {
        let p: [Float] = [1, 2], q: [Float] = [2, 4]
        XCTAssertEqual(LatentPath.spherical.point(at: 0.25, from: p, to: q), LatentPath.linear.point(at: 0.25, from: p, to: q))
        XCTAssertEqual(LatentPath.spherical.point(at: 0.5, from: [0, 0], to: q), [1, 2])
    }

    func testFractions_AreEvenlySpacedFromZeroToOne() {
        XCTAssertEqual((0..<5).map { LatentPath.fraction($0, of: 5) }, [0, 0.25, 0.5, 0.75, 1])
    }
}
