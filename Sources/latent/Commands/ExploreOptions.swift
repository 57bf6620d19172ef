import ArgumentParser
import Foundation
import TerminalUI
import VAECore

extension GlyphMode: ExpressibleByArgument {}
extension ImageFile.Inversion: ExpressibleByArgument {}
extension ImageFit: ExpressibleByArgument {}

/// Options of the commands that open the explorer.
struct ExploreOptions: ParsableArguments {
    /// --model, --data and --threads, as the other model commands take them.
    @OptionGroup var source: ModelOptions

    @Option(help: "Images encoded for the map.")
    var points = 5000

    @Option(help: "Glyphs for images: half, quadrant, braille or ascii (default: the best the terminal shows).")
    var glyphs: GlyphMode?

    @Flag(help: "No colours (as the NO_COLOR variable does).")
    var noColor = false

    /// What the errors about a missing terminal suggest instead.
    static let withoutATerminal = "without one use latent sample, reconstruct, interpolate --out, encode, eval or score"

    /// Loads the model and data and runs the app, starting on screen `firstScreen`
    /// (0 explore, 1 interpolate) with the interpolation's ends, frames and path when given.
    func openExplorer(firstScreen: Int, interpolation ends: InterpolationRequest?) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw UsageError("the explorer needs an interactive terminal; \(Self.withoutATerminal)")
        }
        if points < 1 { throw UsageError("--points must be at least 1, got \(points)") }
        let path = try source.modelPath()
        let (vae, checkpoint) = try source.loadModel()
        let spec = source.data ?? checkpoint.data ?? "fashion-mnist"
        var note = ""
        let split: DataSplit
        if source.data == nil, spec == "fashion-mnist", !FileManager.default.fileExists(atPath: DataSpec.fashionMNISTDirectory) {
            // A first run without the dataset package still opens, on digits generated here.
            split = try DataSpec.loadForCommand("synthetic", limit: nil, testOnly: true)
            note = "fashion-mnist is not installed (sudo apt-get install dataset-fashion-mnist): showing synthetic digits"
        } else {
            split = try DataSpec.loadForCommand(spec, limit: nil, testOnly: true)
        }
        // Said again on the shell, after the terminal is restored (defers run last-first).
        defer { if !note.isEmpty { Console.error(note) } }
        try checkImageSize(vae.configuration.architecture, split)
        var largestIndex = 0
        for case .index(let index) in [ends?.a, ends?.b].compactMap({ $0 }) { largestIndex = max(largestIndex, index + 1) }
        let state = ExploreState(model: vae, data: split.test, limit: max(points, largestIndex))
        var givenEnds: (a: InterpolationEnd, b: InterpolationEnd)?
        if let ends {
            func end(_ source: InterpolationSource, marking mark: (Int) -> Void) throws -> InterpolationEnd {
                if case .index(let index) = source, (0..<state.data.count).contains(index) { mark(index) }
                return try source.end(model: vae, test: state.data, invert: ends.invert, fit: ends.fit)
            }
            let a = try end(ends.a) { state.endpoints.a = $0 }
            let b = try end(ends.b) { state.endpoints.b = $0 }
            // Two indices are marks on the map; a file makes both ends fixed images.
            if case .index = ends.a, case .index = ends.b {} else { givenEnds = (a, b) }
        }
        let terminal: NCursesTerminal
        do {
            terminal = try NCursesTerminal(noColor: noColor, imageGlyphs: glyphs)
        } catch {
            throw UsageError("cannot open the terminal: \(error); \(Self.withoutATerminal)")
        }
        defer { terminal.restore() }
        // Fits the title bar of a 100-column terminal; the whole note follows on exit.
        let title = note.isEmpty
            ? "\(URL(fileURLWithPath: path).lastPathComponent), \(vae.configuration.architecture.name), \(split.test.name) (\(state.data.count) images)"
            : "synthetic digits: apt install dataset-fashion-mnist"
        let screens: [AppScreen] = [
            ExploreScreen(state: state, abilities: terminal.abilities),
            InterpolateScreen(state: state, abilities: terminal.abilities, frameCount: ends?.steps ?? 9,
                              path: ends?.path ?? .linear, ends: givenEnds),
        ]
        let app = ExplorerApp(terminal: terminal, screens: screens, title: title, first: firstScreen)
        // A signal ends the app on its own thread, which then gives the terminal back.
        let (quit, hangup) = (app.quitRequest, terminal.hangup)
        let interrupt = InterruptHandler { signal in
            if signal == SIGHUP { hangup.set() }
            quit.set()
        }
        defer { interrupt.restore() }
        app.run()
        if let status = interrupt.exitStatus {
            terminal.restore()
            throw ExitCode(status)
        }
    }
}
