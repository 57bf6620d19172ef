import ArgumentParser
import Foundation
import TerminalUI
import VAECore

extension GlyphMode: ExpressibleByArgument {}
extension ImageFile.Inversion: ExpressibleByArgument {}
extension NCursesTerminal.ColorDepth: ExpressibleByArgument {}
extension ImageFit: ExpressibleByArgument {}

/// Options of the commands that open the explorer.
struct ExploreOptions: ParsableArguments {
    /// --model, --data and --threads, as the other model commands take them.
    @OptionGroup var source: ModelOptions

    @Option(help: "Images encoded for the map.")
    var points = 5000

    @OptionGroup var display: TerminalOptions

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
        var choice = DataChoice(flag: source.data, checkpoint: checkpoint.data)
        var note = ""
        if source.data == nil, choice.spec == "fashion-mnist", !FileManager.default.fileExists(atPath: DataSpec.fashionMNISTDirectory) {
            // A first run without the dataset package still opens, on digits generated here.
            choice = DataChoice(flag: "synthetic")
            note = "fashion-mnist is not installed (sudo apt-get install dataset-fashion-mnist): showing synthetic digits"
        }
        // Said again on the shell, after the terminal is restored (defers run last-first).
        defer { if !note.isEmpty { Console.error(note) } }
        let terminal = try display.open(advice: Self.withoutATerminal)
        defer { terminal.restore() }
        // The first frame comes at once: the image at the origin and an empty map, while the
        // data loads and the map's images are encoded on another thread.
        let request = ExplorerLoad(options: self, model: vae, data: choice, fit: checkpoint.fit ?? .crop, ends: ends)
        let loading = LoadingScreen(name: firstScreen == 0 ? "explore" : "interpolate", model: vae, abilities: terminal.abilities,
                                    waitingFor: "encoding up to \(points) test images", load: { try request.load() })
        let file = URL(fileURLWithPath: path).lastPathComponent
        let app = ExplorerApp(terminal: terminal, screens: [loading], title: "\(file), \(vae.configuration.architecture.name)")
        loading.whenLoaded = { [abilities = terminal.abilities, unowned loading] loaded in
            // Fits the title bar of a 100-column terminal; the whole note follows on exit.
            let title = note.isEmpty
                ? "\(file), \(vae.configuration.architecture.name), \(loaded.state.data.name) (\(loaded.state.data.count) images)"
                : "synthetic digits: apt install dataset-fashion-mnist"
            app.replaceScreens([
                ExploreScreen(state: loaded.state, abilities: abilities),
                InterpolateScreen(state: loaded.state, abilities: abilities, frameCount: ends?.steps ?? 9,
                                  path: ends?.path ?? .linear, ends: loaded.givenEnds),
            ], title: title, first: firstScreen)
            for key in loading.deferredKeys { app.handle(key) }
        }

        try runStoppingOnSignals(app, terminal: terminal)
        if let failure = loading.failure { throw failure }
    }
}

/// The explorer's slow start, run off the app's thread: the test set, its encoding for the map,
/// and the interpolation's ends.
private struct ExplorerLoad: @unchecked Sendable {
    let options: ExploreOptions
    /// Used here alone until the load is done.
    let model: VAE
    let data: DataChoice
    /// How the data's images are fitted: as the checkpoint's were.
    let fit: ImageFit
    let ends: InterpolationRequest?

    struct Loaded {
        var state: ExploreState
        var givenEnds: (a: InterpolationEnd, b: InterpolationEnd)?
    }

    func load() throws -> Loaded {
        // No progress line: the terminal is the explorer's. Fitted as the model's data was.
        let split = try data.load(options: .matching(model.configuration.architecture.image, fit: fit), testOnly: true,
                                  showProgress: false)
        try checkImageSize(model.configuration.architecture, split)
        var largestIndex = 0
        for case .index(let index) in [ends?.a, ends?.b].compactMap({ $0 }) { largestIndex = max(largestIndex, index + 1) }
        let state = ExploreState(model: model, data: split.test, limit: max(options.points, largestIndex))
        var givenEnds: (a: InterpolationEnd, b: InterpolationEnd)?
        if let ends {
            func end(_ source: InterpolationSource, marking mark: (Int) -> Void) throws -> InterpolationEnd {
                if case .index(let index) = source, (0..<state.data.count).contains(index) { mark(index) }
                return try source.end(model: model, test: state.data, invert: ends.invert, fit: ends.fit)
            }
            let a = try end(ends.a) { state.endpoints.a = $0 }
            let b = try end(ends.b) { state.endpoints.b = $0 }
            // Two indices are marks on the map; a file makes both ends fixed images.
            if case .index = ends.a, case .index = ends.b {} else { givenEnds = (a, b) }
        }
        return Loaded(state: state, givenEnds: givenEnds)
    }
}
