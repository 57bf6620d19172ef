import XCTest
@testable import VAECore

final class LatentGridTests: XCTestCase {
    func testCellCentres_RunRowByRowFromTheTopLeftInsideTheSquare() {
        let grid = LatentGrid(side: 4, radius: 2, placement: .cellCentres)
        let positions = grid.positions
        XCTAssertEqual(positions.count, 16)
        XCTAssertTrue(positions[0] == (-1.5, 1.5), "top left: half a cell in from the corner")
        XCTAssertTrue(positions[1] == (-0.5, 1.5), "then along the top row")
        XCTAssertTrue(positions[4] == (-1.5, 0.5), "then the next row down")
        XCTAssertTrue(positions[15] == (1.5, -1.5), "bottom right")
        XCTAssertTrue(LatentGrid(side: 1, radius: 3, placement: .cellCentres).positions[0] == (0, 0))
    }

    func testCellEdges_PutTheOuterPointsOnTheSquaresSides() {
        let grid = LatentGrid(side: 3, radius: 3, placement: .cellEdges)
        XCTAssertEqual(grid.positions.map(\.x), [-3, 0, 3, -3, 0, 3, -3, 0, 3])
        XCTAssertEqual(grid.positions.map(\.y), [3, 3, 3, 0, 0, 0, -3, -3, -3])
        XCTAssertTrue(LatentGrid(side: 1, radius: 3, placement: .cellEdges).positions[0] == (0, 0), "one point: the centre")
    }

    func testPoints_LieOnThePlaneWithTheReferencesOtherComponents() {
        let plane = MapPlane.coordinateAxes(x: 1, y: 2, latentSize: 4)
        let reference: [Float] = [7, 0.5, -0.5, -7]
        let grid = LatentGrid(side: 2, radius: 1, placement: .cellEdges)
        let points = grid.points(on: plane, offPlane: reference)
        XCTAssertEqual(points.shape, [4, 4])
        XCTAssertEqual(points.row(0), [7, -1, 1, -7])
        XCTAssertEqual(points.row(1), [7, 1, 1, -7])
        XCTAssertEqual(points.row(2), [7, -1, -1, -7])
        XCTAssertEqual(points.row(3), [7, 1, -1, -7])
    }
}
