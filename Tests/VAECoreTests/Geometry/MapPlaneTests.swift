import XCTest
@testable import VAECore

final class MapPlaneTests: XCTestCase {
    /// A plane through (1, -1, 2, 0) along two orthonormal directions off the coordinate axes.
    private let tilted = MapPlane(origin: [1, -1, 2, 0],
                                  directions: ([0.6, 0.8, 0, 0], [0, 0, 0.8, -0.6]), axisNames: ("PC1", "PC2"))

    func testProjection_AndBack_IsTheIdentityOnThePlane() {
        let reference: [Float] = [0.5, 3, -2, 1]
        for (x, y) in [(0, 0), (1.5, -2), (-3, 0.25)] as [(Float, Float)] {
            let z = tilted.latentPoint(x: x, y: y, offPlane: reference)
            let back = tilted.position(of: z)
            XCTAssertEqual(back.x, x, accuracy: 1e-5)
            XCTAssertEqual(back.y, y, accuracy: 1e-5)
            // Only the plane's directions changed: the offset from the reference lies in the plane.
            let offset = zip(z, reference).map { $0 - $1 }
            let alongX = zip(offset, tilted.directions.x).reduce(0) { $0 + $1.0 * $1.1 }
            let alongY = zip(offset, tilted.directions.y).reduce(0) { $0 + $1.0 * $1.1 }
            let rest = zip(offset.indices, offset).map { i, v in v - alongX * tilted.directions.x[i] - alongY * tilted.directions.y[i] }
            XCTAssertEqual(rest.map(abs).max()!, 0, accuracy: 1e-5)
        }
        XCTAssertEqual(tilted.position(of: tilted.origin).x, 0)
        XCTAssertEqual(tilted.latentPoint(x: 0, y: 0, offPlane: tilted.origin), tilted.origin)
    }

    func testCoordinateAxes_AreTheLatentDimensionsThroughZero() {
        let plane = MapPlane.coordinateAxes(x: 2, y: 0, latentSize: 3)
        XCTAssertEqual(plane.origin, [0, 0, 0])
        XCTAssertEqual(plane.directions.x, [0, 0, 1])
        XCTAssertEqual(plane.directions.y, [1, 0, 0])
        XCTAssertTrue(plane.axisNames == ("z2", "z0"))
        XCTAssertTrue(plane.position(of: [4, 5, 6]) == (6, 4))
        XCTAssertEqual(plane.latentPoint(x: -1, y: 2, offPlane: [4, 5, 6]), [2, 5, -1])
        // A dimension beyond the space has no direction: one latent dimension varies along x only.
        let line = MapPlane.coordinateAxes(x: 0, y: 1, latentSize: 1)
        XCTAssertEqual(line.latentPoint(x: 0.5, y: 3, offPlane: [0]), [0.5])
    }

    func testPrincipalPlane_IsNamedAndCentredOnTheMean() {
        let axes = PrincipalAxes(Tensor(shape: [4, 3], storage: [2, 0, 1, -2, 0, 1, 0, 1, 1, 0, -1, 1]), count: 2)
        let plane = MapPlane(principalAxes: axes)
        XCTAssertTrue(plane.axisNames == ("PC1", "PC2"))
        XCTAssertEqual(plane.origin, [0, 0, 1])
        XCTAssertEqual(plane.directions.x, axes.directions[0])
    }

    func testCoveringRadius_CoversTheCentral98PercentRoundedUpToAQuarter() {
        // 100 points within 2 of the origin and two far out: the far ones are left out.
        var positions: [(x: Float, y: Float)] = (0..<100).map { i in
            let (column, row) = (Float(i % 10), Float(i / 10))
            return (column / 5 - 1, -row / 5)
        }
        XCTAssertEqual(MapPlane.coveringRadius(of: positions), 2)  // 1.8 * 1.1 = 1.98, up to 2
        positions += [(x: 40, y: 0), (x: 0, y: -50)]
        XCTAssertEqual(MapPlane.coveringRadius(of: positions), 2)
        XCTAssertEqual(MapPlane.coveringRadius(of: [(x: 0.1, y: 0.1)]), 1, "at least 1")
        XCTAssertEqual(MapPlane.coveringRadius(of: []), 1.25, "no points: 1 with a tenth to spare")
        XCTAssertEqual(MapPlane.coveringRadius(of: [(x: 2, y: -3)]), 3.5)
    }
}
