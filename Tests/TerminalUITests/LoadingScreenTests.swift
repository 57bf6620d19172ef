import XCTest
import VAECore
@testable import TerminalUI

final class LoadingScreenTests: XCTestCase {
    struct Failed: Error {}

    func testFirstFrame_ShowsTheOriginsImageThenTheViewsWithTheKeysPressedMeanwhile() {
        let model = VAE(configuration: ModelConfiguration(architecture: .mlp2), seed: 7)
        let gate = DispatchSemaphore(value: 0)
        let loading = LoadingScreen(name: "explore", model: model, abilities: .init(unicode: true, colors: 256, noColor: false),
                                    waitingFor: "encoding up to 300 test images") { () -> ExploreState in
            gate.wait()
            return ExploreState(model: VAE(configuration: ModelConfiguration(architecture: .mlp2), seed: 7), data: SyntheticDigits.generate(count: 300, seed: 3, name: "synthetic/test"))
        }
        let terminal = MemoryTerminal(columns: 100, rows: 30, keys: [.right, .up])
        let app = ExplorerApp(terminal: terminal, screens: [loading], title: "t")
        loading.whenLoaded = { state in
            app.replaceScreens([ExploreScreen(state: state, abilities: terminal.abilities)], title: "t, loaded")
            for key in loading.deferredKeys { app.handle(key) }
        }
        app.run(maximumFrames: 4)
        let first = terminal.screen.lines
        XCTAssertTrue(first.contains { $0.contains("encoding up to 300 test images") }, first.joined(separator: "\n"))
        XCTAssertTrue(first[1].contains("z = (0, 0)"))
        XCTAssertTrue(first[29].contains("loading") && first[29].contains("q quit"))
        XCTAssertEqual(loading.deferredKeys, [.right, .up])
        gate.signal()
        loading.waitForLoad()
        app.run(maximumFrames: 2)
        XCTAssertTrue(loading.loaded)
        XCTAssertEqual(app.state.cursor, [0.25, 0.25], "the keys pressed while loading are acted on")
        XCTAssertTrue(terminal.screen.lines[0].contains("t, loaded"))
        XCTAssertTrue(terminal.screen.lines[29].contains("n nearest"))
    }

    func testFailure_EndsTheApp() {
        let model = VAE(configuration: ModelConfiguration(architecture: .mlp2), seed: 7)
        let loading = LoadingScreen(name: "explore", model: model, abilities: .init(unicode: true, colors: 256, noColor: false),
                                    waitingFor: "loading") { () throws -> Int in throw Failed() }
        loading.waitForLoad()
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30), screens: [loading], title: "t")
        app.run(maximumFrames: 10)
        XCTAssertTrue(app.finished)
        XCTAssertTrue(loading.failure is Failed)
    }
}
