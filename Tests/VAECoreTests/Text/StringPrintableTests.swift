import XCTest
@testable import VAECore

final class StringPrintableTests: XCTestCase {
    func testControlCharacters_AreWrittenAsEscapes() {
        XCTAssertEqual("Coat".escapingControlCharacters, "Coat")
        XCTAssertEqual("Ankle boot, Größe 42 ■".escapingControlCharacters, "Ankle boot, Größe 42 ■")
        XCTAssertEqual("two\nlines\tand\rreturn".escapingControlCharacters, "two\\nlines\\tand\\rreturn")
        XCTAssertEqual("\u{1B}[2J\u{7F}\u{9B}".escapingControlCharacters, "\\x1b[2J\\x7f\\x9b")
        XCTAssertEqual("abc\u{202E}fed".escapingControlCharacters, "abc\\u{202e}fed", "a right-to-left override")
        XCTAssertEqual("\u{2066}x\u{2069}".escapingControlCharacters, "\\u{2066}x\\u{2069}")
    }

    func testDataset_EscapesItsNameAndClassNames() {
        let data = Dataset(name: "photos\n/train", shape: .mnist, pixels: [UInt8](repeating: 0, count: 2 * 784),
                           labels: [0, 1], classNames: ["cats", "\u{1B}]0;owned\u{07}dogs"])
        XCTAssertEqual(data.name, "photos\\n/train")
        XCTAssertEqual(data.className(of: 1), "\\x1b]0;owned\\x07dogs")
        XCTAssertEqual(data.caption(of: 0), "#0 (cats)")
    }
}
