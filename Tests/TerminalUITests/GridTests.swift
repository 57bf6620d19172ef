import XCTest
@testable import TerminalUI

final class GridTests: XCTestCase {
    func testPut_DrawsControlCharactersAsQuestionMarks() {
        var grid = Grid(width: 12, height: 1)
        grid.put("a\u{1B}[31mb\nc\u{202E}", x: 0, y: 0)
        XCTAssertEqual(grid.lines, ["a?[31mb?c?  "], "nothing that moves the cursor or recolours reaches the terminal")
    }
}
