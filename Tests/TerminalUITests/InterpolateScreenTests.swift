import XCTest
import VAECore
@testable import TerminalUI

final class InterpolateScreenTests: XCTestCase {
    func makeScreen() -> (InterpolateScreen, ExplorerApp) {
        let model = VAE(configuration: ModelConfiguration(architecture: .mlp2), seed: 7)
        let state = ExploreState(model: model, data: SyntheticDigits.generate(count: 300, seed: 3, name: "synthetic/test"))
        let abilities = TerminalAbilities(unicode: true, colors: 256, noColor: false)
        let screen = InterpolateScreen(state: state, abilities: abilities)
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30),
                              screens: [ExploreScreen(state: state, abilities: abilities), screen], title: "test", first: 1)
        return (screen, app)
    }

    func testScreen_ScrubsAnimatesAndSwitchesPath() {
        let (screen, app) = makeScreen()
        XCTAssertEqual(screen.decodedFrames().count, 9)
        XCTAssertEqual(screen.crossFade(0), Array(screen.state.data.image(screen.endIndices.a)))
        for (fade, original) in zip(screen.crossFade(8), screen.state.data.image(screen.endIndices.b)) {
            XCTAssertEqual(fade, original, accuracy: 1e-6)
        }
        XCTAssertNotEqual(screen.state.data.labels![screen.endIndices.a], screen.state.data.labels![screen.endIndices.b],
                          "by default the ends are images of two different labels")
        app.handle(.right)
        app.handle(.right)
        XCTAssertEqual(screen.position, 2)
        app.handle(.left)
        XCTAssertEqual(screen.position, 1)
        let linear = screen.decodedFrames()
        app.handle(.character("p"))
        XCTAssertEqual(screen.path, .spherical)
        XCTAssertNotEqual(screen.decodedFrames()[4], linear[4])
        app.handle(.character(" "))
        XCTAssertTrue(screen.animating)
        XCTAssertTrue(app.frame().lines[1].contains("frame 2/9"))
        assertSnapshot(app.frame(), named: "interpolate-100x30")
    }

    func testHomeEndAndPages_JumpAlongTheStrip() {
        let (screen, app) = makeScreen()
        app.handle(.end)
        XCTAssertEqual(screen.position, screen.frameCount - 1)
        app.handle(.pageUp)
        XCTAssertEqual(screen.position, screen.frameCount - 1 - max(1, screen.frameCount / 4))
        app.handle(.home)
        XCTAssertEqual(screen.position, 0)
        app.handle(.pageDown)
        XCTAssertEqual(screen.position, max(1, screen.frameCount / 4))
    }

    func testChosenGlyphs_DrawTheStripAndFramesInThatMode() {
        let state = ExploreState(model: VAE(configuration: ModelConfiguration(architecture: .mlp2), seed: 7),
                                 data: SyntheticDigits.generate(count: 300, seed: 3, name: "synthetic/test"))
        let abilities = TerminalAbilities(unicode: true, colors: 256, noColor: false, chosenImageGlyphs: .ascii)
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30),
                              screens: [InterpolateScreen(state: state, abilities: abilities)], title: "test")
        let body = app.frame().lines.dropFirst(2).dropLast().joined()
        XCTAssertFalse(body.contains("▀"), "no half-blocks once ASCII is chosen")
        XCTAssertTrue(body.contains { ".:-=+*#%@".contains($0) }, "the frames are drawn with the ASCII ramp")
    }

    func testExploreKeys_MarkTheEndsOnTheMap() {
        let (screen, app) = makeScreen()
        app.handle(.character("1"))
        app.handle(.character("a"))
        let a = try! XCTUnwrap(screen.state.endpoints.a)
        app.handle(.right); app.handle(.right); app.handle(.right); app.handle(.right); app.handle(.up)
        app.handle(.character("b"))
        let b = try! XCTUnwrap(screen.state.endpoints.b)
        XCTAssertEqual(screen.endIndices.a, a)
        XCTAssertEqual(screen.endIndices.b, b)
        app.handle(.tab)
        XCTAssertEqual(app.current, 1)
        XCTAssertTrue(app.frame().lines[1].contains("from #\(a) "))
    }

    func testLongStrip_ScrollsToKeepTheCurrentFrameOnScreen() {
        let model = VAE(configuration: ModelConfiguration(architecture: .mlp2), seed: 7)
        let state = ExploreState(model: model, data: SyntheticDigits.generate(count: 100, seed: 3, name: "synthetic/test"))
        let abilities = TerminalAbilities(unicode: true, colors: 256, noColor: false)
        let screen = InterpolateScreen(state: state, abilities: abilities, frameCount: 40, path: .spherical)
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 80, rows: 24), screens: [screen], title: "test")
        XCTAssertEqual(screen.path, .spherical)
        XCTAssertEqual(screen.stripWindow(width: 80, cell: 6), 0..<11)
        for _ in 0..<39 { app.handle(.right) }
        XCTAssertEqual(screen.position, 39)
        XCTAssertEqual(screen.stripWindow(width: 80, cell: 6), 29..<40)
        let frame = app.frame()
        XCTAssertTrue(frame.lines[1].contains("spherical path  frame 40/40"), frame.lines[1])
        // The current frame's number, the last of the window, is on screen and highlighted.
        let numbers = try! XCTUnwrap(frame.lines.firstIndex { $0.contains(" 39 ") && $0.contains(" 40") })
        let column = frame.lines[numbers].range(of: "40")!.lowerBound.utf16Offset(in: frame.lines[numbers])
        XCTAssertTrue(frame[column, numbers].style.contains(.reverse))
        for _ in 0..<20 { app.handle(.left) }
        XCTAssertEqual(screen.stripWindow(width: 80, cell: 6), 14..<25)
    }

    func testHelp_ShowsEachKeyWhole() {
        let (_, app) = makeScreen()
        app.handle(.character("?"))
        let lines = app.frame().lines
        XCTAssertTrue(lines.contains { $0.contains("a b (explore) choose the two images on the map") }, lines.joined(separator: "\n"))
        XCTAssertEqual(app.helpLines(columns: 100).filter { $0.hasPrefix("  q ") }.map { $0.split(separator: " ") }, [["q", "quit"]])
    }
}
