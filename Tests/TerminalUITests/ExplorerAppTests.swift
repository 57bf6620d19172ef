import XCTest
import VAECore
@testable import TerminalUI

final class ExplorerAppTests: XCTestCase {
    /// An untrained 2-D model over 300 synthetic digits: deterministic, and quick to make.
    func makeApp(columns: Int = 100, rows: Int = 30, abilities: TerminalAbilities = .init(unicode: true, colors: 256, noColor: false),
                 keys: [Key] = []) -> (ExplorerApp, MemoryTerminal) {
        let model = VAE(configuration: ModelConfiguration(architecture: .mlp2), seed: 7)
        let data = SyntheticDigits.generate(count: 300, seed: 3, name: "synthetic/test")
        let terminal = MemoryTerminal(columns: columns, rows: rows, abilities: abilities, keys: keys)
        return (ExplorerApp(terminal: terminal, state: ExploreState(model: model, data: data), title: "test"), terminal)
    }

    func testExploreView_100x30() {
        let (app, _) = makeApp()
        assertSnapshot(app.frame(), named: "explore-100x30")
    }

    func testExploreView_NoColorNoUnicode_100x30() {
        let (app, _) = makeApp(abilities: .init(unicode: false, colors: 0, noColor: true))
        assertSnapshot(app.frame(), named: "explore-ascii-100x30")
    }

    func testMap_ShowsDensityAsBoldCellsAndLonePointsDim() {
        let (app, _) = makeApp()
        let frame = app.frame()
        let mapCells = (2..<28).flatMap { y in (0..<49).map { frame[$0, y] } }.filter { $0.glyph.value >= 0x2801 && $0.glyph.value <= 0x28FF }
        XCTAssertTrue(mapCells.contains { $0.style == .bold }, "dense cells")
        XCTAssertTrue(mapCells.contains { $0.style == .dim }, "lone points")
    }

    func testArrows_MoveTheCursorAndRedrawTheImage() {
        let (app, _) = makeApp()
        let before = app.frame()
        let image = app.state.decoded
        app.handle(.right)
        app.handle(.character("k"))
        XCTAssertEqual(app.state.cursor, [0.25, 0.25])
        XCTAssertNotEqual(app.state.decoded, image)
        XCTAssertNotEqual(app.frame(), before)
        app.handle(.character("+"))
        app.handle(.left)
        XCTAssertEqual(app.state.cursor, [-0.25, 0.25])
        app.handle(.character("-"))
        app.handle(.character("-"))
        XCTAssertEqual(app.state.step, 0.125)
    }

    func testNearest_ShowsTheOriginalBesideItsReconstruction() {
        let (app, _) = makeApp()
        app.handle(.character("n"))
        let index = try! XCTUnwrap(app.state.nearest)
        XCTAssertTrue(app.frame().lines.contains { $0.contains("#\(index) ") && $0.contains("original | reconstruction") })
        app.handle(.down)
        XCTAssertNil(app.state.nearest)
    }

    func testAxisKeys_CycleTheDimensionsOfALargerLatentSpace() {
        let model = VAE(configuration: ModelConfiguration(architecture: Architecture(body: .mlp(hidden: [16]), latent: 4)), seed: 1)
        let state = ExploreState(model: model, data: SyntheticDigits.generate(count: 50, seed: 1, name: "s"))
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30), state: state, title: "t")
        XCTAssertTrue(state.axes == (0, 1))
        app.handle(.character("x"))
        XCTAssertTrue(state.axes == (2, 1))
        app.handle(.character("x"))
        XCTAssertTrue(state.axes == (3, 1))
        app.handle(.character("x"))
        XCTAssertTrue(state.axes == (0, 1), "wraps around, skipping the vertical axis")
        app.handle(.character("y"))
        XCTAssertTrue(state.axes == (0, 2))
        app.handle(.up)
        XCTAssertEqual(state.cursor, [0, 0, 0.25, 0])
        XCTAssertTrue(app.frame().lines[1].contains("x: z0  y: z2"))
        // A 2-D model has nothing to cycle.
        let (flat, _) = makeApp()
        flat.handle(.character("x"))
        XCTAssertTrue(flat.state.axes == (0, 1))
    }

    func testPrincipalAxesKey_PutsThemOnTheMapAndBack() {
        let model = VAE(configuration: ModelConfiguration(architecture: Architecture(body: .mlp(hidden: [16]), latent: 4)), seed: 1)
        let state = ExploreState(model: model, data: SyntheticDigits.generate(count: 200, seed: 1, name: "s"))
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30), state: state, title: "t")
        func spread(_ axis: (Int) -> Float) -> Float {
            let values = (0..<state.data.count).map(axis)
            let mean = values.reduce(0, +) / Float(values.count)
            return values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        }
        let coordinateSpread = spread { state.point($0).x }
        app.handle(.character("p"))
        XCTAssertTrue(state.usesPrincipalAxes)
        XCTAssertTrue(app.frame().lines[1].contains("x: PC1  y: PC2"))
        XCTAssertGreaterThanOrEqual(spread { state.point($0).x } * 1.0001, coordinateSpread)
        let before = state.cursorPosition
        app.handle(.right)
        XCTAssertEqual(state.cursorPosition.x, before.x + 0.25, accuracy: 1e-4)
        XCTAssertEqual(state.cursorPosition.y, before.y, accuracy: 1e-4)
        app.handle(.character("p"))
        XCTAssertFalse(state.usesPrincipalAxes)
        XCTAssertTrue(app.frame().lines[1].contains("x: z0  y: z1"))
    }

    func testManifoldGrid_TilesDecodedImagesOverTheMap() {
        let (app, _) = makeApp()
        app.handle(.character("g"))
        XCTAssertTrue(app.state.showsManifold)
        let images = app.state.manifold(side: 4)
        XCTAssertEqual(images.count, 16)
        // The tile at the top left decodes (-r, r) (plus half a tile), the one at the bottom right (r, -r).
        let r = app.state.radius
        for (i, point) in [(0, [-r + r / 4, r - r / 4]), (15, [r - r / 4, -r + r / 4])] {
            for (a, b) in zip(images[i], app.state.model.decode(point: point)) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        }
        assertSnapshot(app.frame(), named: "explore-grid-100x30")
        app.handle(.character("g"))
        XCTAssertFalse(app.state.showsManifold)
    }

    func testHelp_OpensAndAnyKeyClosesIt() {
        let (app, _) = makeApp()
        app.handle(.character("?"))
        XCTAssertTrue(app.frame().lines.contains { $0.contains("jump to the nearest encoded image") })
        assertSnapshot(app.frame(), named: "explore-help-100x30")
        app.handle(.character("x"))
        XCTAssertFalse(app.showingHelp)
        XCTAssertFalse(app.finished)
        // q and Esc close the overlay too, and nothing more.
        for key in [Key.character("q"), .escape] {
            app.handle(.character("?"))
            app.handle(key)
            XCTAssertFalse(app.showingHelp)
            XCTAssertFalse(app.finished, "\(key) in the help overlay only closes it")
        }
    }

    func testAxisKeysOnA2DModel_SayWhyTheyDoNothing() throws {
        let (app, _) = makeApp()
        let screen = try XCTUnwrap(app.screens.first as? ExploreScreen)
        screen.noticeSeconds = 1
        app.handle(.character("p"))
        XCTAssertTrue(app.frame().lines[29].contains("a 2-D model: its two latent dimensions are the map's axes already"),
                      app.frame().lines[29])
        XCTAssertTrue(screen.isBusy, "drawn again when the notice goes")
        Thread.sleep(forTimeInterval: 1.2)
        XCTAssertTrue(app.frame().lines[29].contains("n nearest"), "the keys come back")
        XCTAssertFalse(screen.isBusy)
    }

    func testEscapeAndUnknownKeys_NeverQuit() {
        let (app, terminal) = makeApp(keys: [.escape, .escape, .redraw, .backspace, .enter])
        app.run(maximumFrames: 8)
        XCTAssertFalse(app.finished, "Esc starts unknown sequences and Alt keys: it must not quit")
        XCTAssertEqual(terminal.redraws, 1, "Ctrl-L draws the whole screen again")
    }

    func testHomeEndAndPages_MoveToTheMapsEdgesAndByBigSteps() {
        let (app, _) = makeApp()
        let radius = app.state.radius
        app.handle(.end)
        XCTAssertEqual(app.state.cursorPosition.x, radius, accuracy: 1e-5)
        app.handle(.home)
        XCTAssertEqual(app.state.cursorPosition.x, -radius, accuracy: 1e-5)
        let y = app.state.cursorPosition.y
        app.handle(.pageUp)
        XCTAssertEqual(app.state.cursorPosition.y, min(radius, y + 8 * app.state.step), accuracy: 1e-5)
        app.handle(.pageDown)
        app.handle(.pageDown)
        XCTAssertEqual(app.state.cursorPosition.y, max(-radius, min(radius, y + 8 * app.state.step) - 16 * app.state.step), accuracy: 1e-5)
        XCTAssertFalse(app.finished)
    }

    func testTooSmall_SaysSoAndStillQuits() {
        let (app, terminal) = makeApp(columns: 40, rows: 10, keys: [.character("q")])
        app.run(maximumFrames: 5)
        XCTAssertTrue(app.finished)
        XCTAssertEqual(terminal.screen.lines[0].trimmingCharacters(in: .whitespaces), "Terminal too small: 40x10")
        XCTAssertTrue(terminal.screen.lines[1].contains("needs 60x20"))
    }

    func testRun_DrawsUntilQuit() {
        let (app, terminal) = makeApp(keys: [.right, .right, .character("q")])
        app.run(maximumFrames: 10)
        XCTAssertTrue(app.finished)
        XCTAssertEqual(terminal.frames, 3)
        XCTAssertEqual(app.state.cursor, [0.5, 0])
    }
}
