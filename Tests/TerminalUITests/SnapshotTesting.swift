import Foundation
import XCTest
import TerminalUI

/// Compares a grid with the golden text in Snapshots/<name>.txt beside this file.
///
/// The golden holds the glyphs, then the foreground and background of each cell ('.' for the
/// terminal's default, a-z for the 26 greys, capitals for palette colours listed at the end).
/// `RECORD_SNAPSHOTS=1` rewrites the golden and fails, so that no baseline changes silently.
func assertSnapshot(_ grid: Grid, named name: String, file: StaticString = #filePath, line: UInt = #line) {
    assertSnapshot(text: snapshotText(grid), named: name, file: file, line: line)
}

/// Compares `actual` with the golden text in Snapshots/<name>.txt (see `assertSnapshot`).
func assertSnapshot(text actual: String, named name: String, file: StaticString = #filePath, line: UInt = #line) {
    let directory = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent("Snapshots")
    let url = directory.appendingPathComponent("\(name).txt")
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? actual.write(to: url, atomically: true, encoding: .utf8)
        XCTFail("recorded \(url.lastPathComponent); run again without RECORD_SNAPSHOTS", file: file, line: line)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        XCTFail("no golden \(url.path); record it with RECORD_SNAPSHOTS=1", file: file, line: line)
        return
    }
    if actual != expected {
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let first = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
        XCTFail("\(name) differs from its golden at line \(first + 1):\n  got      \(first < a.count ? a[first] : "")\n  expected \(first < e.count ? e[first] : "")\n\(actual)",
                file: file, line: line)
    }
}

func snapshotText(_ grid: Grid) -> String {
    var palette: [String] = []
    func listed(_ name: String) -> Character {
        if !palette.contains(name) { palette.append(name) }
        return Character(Unicode.Scalar(UInt8(ascii: "A") + UInt8(palette.firstIndex(of: name)! % 26)))
    }
    func code(_ color: TerminalColor) -> Character {
        switch color {
        case .terminalDefault: return "."
        case .gray(let level): return Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(level)))
        case .palette(let index): return listed(String(index))
        case .rgb(let r, let g, let b): return listed("#" + [r, g, b].map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined())
        }
    }
    var text = grid.lines.joined(separator: "\n") + "\n--- foreground\n"
    for row in 0..<grid.height {
        text += String((0..<grid.width).map { code(grid[$0, row].foreground) }) + "\n"
    }
    text += "--- background\n"
    for row in 0..<grid.height {
        text += String((0..<grid.width).map { code(grid[$0, row].background) }) + "\n"
    }
    if !palette.isEmpty {
        text += "--- palette " + palette.enumerated().map { "\(Character(Unicode.Scalar(UInt8(ascii: "A") + UInt8($0.offset))))=\($0.element)" }.joined(separator: " ") + "\n"
    }
    return text
}
