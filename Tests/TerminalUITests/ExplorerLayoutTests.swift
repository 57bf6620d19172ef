import XCTest
import VAECore
@testable import TerminalUI

/// The explorer's views at the sizes people's terminals have, on the terminals they have, and
/// under the mouse.
final class ExplorerLayoutTests: XCTestCase {
    static let sizes = [(60, 20), (80, 24), (200, 60)]

    /// The explore and interpolate views over an untrained 2-D model and 300 synthetic digits.
    func makeApp(columns: Int, rows: Int, abilities: TerminalAbilities = .init(unicode: true, colors: 256, noColor: false),
                 first: Int = 0) -> ExplorerApp {
        let model = VAE(configuration: ModelConfiguration(architecture: .mlp2), seed: 7)
        let state = ExploreState(model: model, data: SyntheticDigits.generate(count: 300, seed: 3, name: "synthetic/test"))
        return ExplorerApp(terminal: MemoryTerminal(columns: columns, rows: rows, abilities: abilities),
                           screens: [ExploreScreen(state: state, abilities: abilities), InterpolateScreen(state: state, abilities: abilities)],
                           title: "conv2-fashion-mnist.safetensors, conv2, fashion-mnist/test (5000 images)", first: first)
    }

    func testGoldenScreens_EveryViewAtThreeSizes() {
        for (columns, rows) in ExplorerLayoutTests.sizes {
            let app = makeApp(columns: columns, rows: rows)
            assertSnapshot(app.frame(), named: "explore-\(columns)x\(rows)")
            app.handle(.character("2"))
            assertSnapshot(app.frame(), named: "interpolate-\(columns)x\(rows)")
        }
    }

    func testStatusBar_KeepsWholeFieldsAndQuitAtEverySize() {
        for (columns, rows) in ExplorerLayoutTests.sizes + [(61, 20), (70, 22), (100, 30)] {
            for first in [0, 1] {
                let app = makeApp(columns: columns, rows: rows, first: first)
                let status = app.frame().lines[rows - 1].trimmingCharacters(in: .whitespaces)
                XCTAssertTrue(status.hasSuffix("? help  q quit"), "\(columns)x\(rows): \(status)")
                let fields = app.statusLine.fields.map(\.text)
                for shown in status.components(separatedBy: "  ") {
                    XCTAssertTrue(fields.contains(shown), "\(columns)x\(rows): '\(shown)' is not a whole field")
                }
            }
        }
    }

    func testHelp_FitsEverySizeWithEveryKeyWhole() {
        for (columns, rows) in ExplorerLayoutTests.sizes {
            for first in [0, 1] {
                let app = makeApp(columns: columns, rows: rows, first: first)
                app.handle(.character("?"))
                let text = app.frame().lines.joined(separator: "\n")
                XCTAssertTrue(text.contains("Keys") && text.contains("any key closes this help"), "\(columns)x\(rows):\n\(text)")
                for (keys, action) in app.screens[first].helpKeys {
                    XCTAssertTrue(text.contains(keys), "\(columns)x\(rows): \(keys)")
                    for word in action.split(separator: " ") {
                        XCTAssertTrue(text.contains(word), "\(columns)x\(rows): '\(word)' of '\(action)'\n\(text)")
                    }
                }
            }
        }
        XCTAssertEqual(ExplorerApp.wrap("one two three four", width: 9), ["one two", "three", "four"])
        XCTAssertEqual(ExplorerApp.wrap("abcdefghij", width: 4), ["abcd", "efgh", "ij"])
    }

    func testImages_GrowWithTheTerminal() {
        func imageWidth(_ columns: Int, _ rows: Int) -> Int {
            let frame = makeApp(columns: columns, rows: rows).frame()
            // The decoded image's cells are the half-blocks and grey backgrounds right of the map.
            let xs = (2..<(rows - 1)).flatMap { y in (columns / 2..<columns).filter { frame[$0, y].background != .terminalDefault } }
            return (xs.max() ?? 0) - (xs.min() ?? 0) + 1
        }
        let (small, medium, large) = (imageWidth(60, 20), imageWidth(100, 30), imageWidth(200, 60))
        XCTAssertLessThan(small, medium)
        XCTAssertLessThan(medium, large)
        XCTAssertGreaterThan(large, 56, "beyond twice the 28-pixel side")
    }

    func testChrome_HasNoAmbiguousWidthCharacters() {
        // Images in ASCII and braille (half-blocks are ambiguous: --glyphs braille or ascii is
        // the documented choice for terminals that draw those wide).
        for glyphs in [GlyphMode.ascii, .braille] {
            for (columns, rows) in ExplorerLayoutTests.sizes {
                let abilities = TerminalAbilities(unicode: true, colors: 256, noColor: false, chosenImageGlyphs: glyphs)
                let app = makeApp(columns: columns, rows: rows, abilities: abilities)
                var frames = [app.frame()]
                app.handle(.character("n"))
                app.handle(.character("a"))
                frames.append(app.frame())
                app.handle(.character("?"))
                frames.append(app.frame())
                app.handle(.character("2"))
                app.handle(.character("2"))
                frames.append(app.frame())
                for frame in frames {
                    let wide = frame.cells.map(\.glyph).filter(ExplorerLayoutTests.isAmbiguousWidth)
                    XCTAssertTrue(wide.isEmpty, "\(columns)x\(rows) \(glyphs): \(Set(wide.map { String($0) }))")
                }
            }
        }
    }

    /// East Asian Width "A" in the blocks a terminal UI draws from (Unicode's EastAsianWidth.txt).
    static func isAmbiguousWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0xA1, 0xA4, 0xA7, 0xA8, 0xAA, 0xAD, 0xAE, 0xB0...0xB4, 0xB6...0xBA, 0xBC...0xBF, 0xD7, 0xF7: return true
        case 0x391...0x3C9: return true  // Greek
        case 0x2010...0x2027, 0x2030...0x203E: return true  // dashes, quotes, bullets, the ellipsis
        case 0x2190...0x21FF: return true  // arrows (the ambiguous ones and their neighbours)
        case 0x2500...0x2590, 0x2592...0x2595: return true  // box drawing, half blocks, shades
        case 0x25A0...0x25FF, 0x2605...0x2606, 0x2660...0x266F, 0x273D: return true  // shapes
        default: return false
        }
    }

    func testEightColours_TellClassesApartByGlyphInTheMapAndTheLegend() {
        let app = makeApp(columns: 100, rows: 30, abilities: .init(unicode: true, colors: 8, noColor: false))
        let frame = app.frame()
        let map = (2..<29).flatMap { y in (0..<49).map { frame[$0, y].glyph } }
        let digits = Set(map.filter { ("0"..."9").contains(Character($0)) })
        XCTAssertGreaterThan(digits.count, 5, "the map shows the classes' digits")
        XCTAssertFalse(map.contains { $0.value >= 0x2800 && $0.value <= 0x28FF && $0.value != 0x2812 && $0.value != 0x2847 },
                       "no braille points, whose colour alone would have to tell them apart")
        for (label, name) in app.state.data.classNames.enumerated() {
            XCTAssertTrue(frame.lines.contains { $0.contains("\(label) \(name)") }, "legend entry \(label) \(name)")
        }
        assertSnapshot(frame, named: "explore-8colors-100x30")
        let plain = makeApp(columns: 100, rows: 30, abilities: .init(unicode: true, colors: 256, noColor: true)).frame()
        XCTAssertTrue((2..<29).contains { y in (0..<49).contains { ("0"..."9").contains(Character(plain[$0, y].glyph)) } },
                      "without colour too")
    }

    func testCursor_StandsOutOnEveryClassColour() {
        let app = makeApp(columns: 100, rows: 30)
        app.handle(.character("n"))
        let frame = app.frame()
        let cursor = try! XCTUnwrap(frame.cells.firstIndex { $0.glyph == "+" && $0.background == .palette(231) })
        XCTAssertEqual(frame.cells[cursor].foreground, .palette(16))
        XCTAssertFalse(ClassPalette.colors256.prefix(10).contains(231), "white is no class's colour")
        // Guides along its row and column.
        let (x, y) = (cursor % 100, cursor / 100)
        XCTAssertTrue((0..<49).contains { frame[$0, y].glyph == "\u{2812}" })
        XCTAssertTrue((2..<29).contains { frame[x, $0].glyph == "\u{2847}" })
    }

    func testEnds_AreMarkedOnTheMapAndConfirmed() {
        let app = makeApp(columns: 100, rows: 30)
        app.handle(.character("n"))
        app.handle(.character("a"))
        let a = try! XCTUnwrap(app.state.endpoints.a)
        XCTAssertTrue(app.frame().lines[29].contains("ends: a \(app.state.data.caption(of: a)), b not set"))
        for _ in 0..<6 { app.handle(.right) }
        app.handle(.character("b"))
        let frame = app.frame()
        XCTAssertTrue(frame.cells.contains { $0.glyph == "a" && $0.background == .palette(231) })
        XCTAssertTrue(frame.cells.contains { $0.glyph == "b" && $0.background == .palette(231) })
    }

    func testMouse_ClickMovesTheCursorWheelStepsTabsSwitch() throws {
        let app = makeApp(columns: 100, rows: 30)
        _ = app.frame()
        let screen = try XCTUnwrap(app.screens[0] as? ExploreScreen)
        let layout = try XCTUnwrap(screen.mapLayout)
        // A click left of and above the centre.
        let target = (x: Int(layout.left + layout.width / 4), y: Int(layout.top + layout.height / 4))
        app.handle(.mouse(MouseEvent(.click, x: target.x, y: target.y)))
        XCTAssertLessThan(app.state.cursorPosition.x, 0)
        XCTAssertGreaterThan(app.state.cursorPosition.y, 0)
        let frame = app.frame()
        XCTAssertEqual(frame[target.x, target.y].glyph, "+", "the cursor is drawn where the click was")
        let step = app.state.step
        app.handle(.mouse(MouseEvent(.wheelUp, x: 3, y: 3)))
        XCTAssertEqual(app.state.step, step * 2)
        app.handle(.mouse(MouseEvent(.wheelDown, x: 3, y: 3)))
        XCTAssertEqual(app.state.step, step)
        // A click off the map (on the image panel) does nothing.
        let cursor = app.state.cursor
        app.handle(.mouse(MouseEvent(.click, x: 90, y: 10)))
        XCTAssertEqual(app.state.cursor, cursor)
        // The tabs on the top row.
        let tab = try XCTUnwrap(frame.lines[0].range(of: "2 interpolate")).lowerBound.utf16Offset(in: frame.lines[0])
        app.handle(.mouse(MouseEvent(.click, x: tab + 2, y: 0)))
        XCTAssertEqual(app.current, 1)
        // A click on the strip's third frame shows it.
        let strip = app.frame()
        let numbers = try XCTUnwrap(strip.lines.firstIndex { $0.contains("  3  ") && $0.contains("  4  ") })
        let three = try XCTUnwrap(strip.lines[numbers].range(of: "3")).lowerBound.utf16Offset(in: strip.lines[numbers])
        app.handle(.mouse(MouseEvent(.click, x: three, y: numbers - 1)))
        let interpolate = try XCTUnwrap(app.screens[1] as? InterpolateScreen)
        XCTAssertEqual(interpolate.position, 2)
        app.handle(.mouse(MouseEvent(.wheelDown, x: 3, y: 3)))
        XCTAssertEqual(interpolate.position, 3)
    }

    func testMapLayout_ClickAndDrawingAgree() {
        let layout = MapLayout(left: 4.5, top: 2, width: 40, height: 20, radius: 2, bounds: (0, 1, 50, 25))
        for (x, y) in [(10, 5), (24, 12), (43, 21)] {
            let position = try! XCTUnwrap(layout.position(ofCell: x, y))
            XCTAssertTrue(layout.cell(of: position) == (x, y), "\(x),\(y)")
        }
        XCTAssertNil(layout.position(ofCell: 2, 10), "left of the square")
        XCTAssertTrue(layout.cell(of: (x: 100, y: -100)) == (49, 25), "clamped to the bounds")
    }
}
