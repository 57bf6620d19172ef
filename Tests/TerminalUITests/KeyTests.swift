import XCTest
@testable import TerminalUI

final class KeyTests: XCTestCase {
    func testEscapeSequences_OfRealTerminals() {
        let cases: [(String, Key?)] = [
            ("[A", .up), ("OB", .down), ("[1;5C", .right), ("OD", .left),
            ("[H", .home), ("OH", .home), ("[1~", .home), ("[7~", .home),
            ("[F", .end), ("OF", .end), ("[4~", .end), ("[8~", .end),
            ("[5~", .pageUp), ("[6~", .pageDown), ("[5;3~", .pageUp), ("[Z", .backTab),
            // Function keys, Insert, Delete and anything else: ignored, never a lone Esc.
            ("[2~", nil), ("[3~", nil), ("[15~", nil), ("OP", nil), ("[[A", nil), ("[", nil), ("x", nil), ("", nil),
        ]
        for (text, key) in cases {
            XCTAssertEqual(Key.escapeSequence(Array(text.utf8)), key, "ESC \(text)")
        }
    }

    func testMouseReports_SGRAndX10() {
        let cases: [([UInt8], MouseEvent?)] = [
            (Array("[<0;12;5M".utf8), MouseEvent(.click, x: 11, y: 4)),
            (Array("[<0;12;5m".utf8), nil),  // the release
            (Array("[<64;3;4M".utf8), MouseEvent(.wheelUp, x: 2, y: 3)),
            (Array("[<65;3;4M".utf8), MouseEvent(.wheelDown, x: 2, y: 3)),
            (Array("[<16;3;4M".utf8), MouseEvent(.click, x: 2, y: 3)),  // Ctrl-click
            (Array("[<2;3;4M".utf8), nil), (Array("[<32;3;4M".utf8), nil),  // right button, motion
            (Array("[<0;3M".utf8), nil), (Array("[<0;0;4M".utf8), nil),
            (Array("[M".utf8) + [32, 32 + 10, 32 + 5], MouseEvent(.click, x: 9, y: 4)),
            (Array("[M".utf8) + [32 + 65, 33, 33], MouseEvent(.wheelDown, x: 0, y: 0)),
        ]
        for (bytes, event) in cases {
            XCTAssertEqual(Key.escapeSequence(bytes), event.map { .mouse($0) }, "ESC \(bytes)")
        }
    }

    func testPriorityLine_DropsWholeFieldsLowestFirst() {
        let line = PriorityLine([.init("epoch 3/10", priority: 5), .init("step 120", priority: 1),
                                 .init("ETA 0:42", priority: 3), .init("running", priority: 9)])
        XCTAssertEqual(line.text(width: 80), "epoch 3/10  step 120  ETA 0:42  running")
        XCTAssertEqual(line.text(width: 33), "epoch 3/10  ETA 0:42  running")
        XCTAssertEqual(line.text(width: 20), "epoch 3/10  running")
        XCTAssertEqual(line.text(width: 7), "running")
        XCTAssertEqual(line.text(width: 3), "")
        XCTAssertEqual(PriorityLine(ranked: ["a", "bb", "cc"]).text(width: 5), "a  bb")
    }
}
