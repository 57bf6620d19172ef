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
}
