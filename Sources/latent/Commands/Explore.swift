import ArgumentParser
import Foundation
import TerminalUI
import VAECore

/// `latent explore`: walk a model's 2-D latent space with the arrow keys.
struct Explore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walk a model's latent space with the arrow keys (the default command).",
        discussion: """
            Opens the terminal explorer: a map of the encoded data coloured by label, a cursor
            moved by the arrow keys or hjkl, and the image decoded at the cursor. Needs an
            interactive terminal; without one use train, bench or info.

            Example:
              latent explore --model assets/models/conv2-fashion-mnist.safetensors
              latent explore --model mlp2.safetensors --data synthetic --glyphs ascii
            """)

    /// Where the bundled model lives, relative to the working directory or the executable.
    static let bundledModel = "assets/models/conv2-fashion-mnist.safetensors"

    @OptionGroup var options: ExploreOptions

    func run() throws {
        try options.openExplorer(firstScreen: 0, ends: nil)
    }

    /// The bundled model, looked for under the working directory and beside the executable.
    static func findBundledModel() throws -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidates = [
            FileManager.default.currentDirectoryPath + "/" + bundledModel,
            executable.deletingLastPathComponent().appendingPathComponent("../../" + bundledModel).standardized.path,
        ]
        guard let found = candidates.first(where: FileManager.default.fileExists(atPath:)) else {
            throw UsageError("no bundled model at \(bundledModel); train one with `latent train --data fashion-mnist --arch conv2 --epochs 10 --out \(bundledModel)` or pass --model")
        }
        return found
    }
}

extension GlyphMode: ExpressibleByArgument {}
extension ImageFile.Inversion: ExpressibleByArgument {}

/// `latent interpolate A B`: the path through latent space between two test images.
struct Interpolate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Interpolate between two test images through the latent space.",
        discussion: """
            Opens the explorer on its interpolate view: a strip of frames decoded along the
            path between the two images' posterior means, the current frame large, and the
            pixel-space cross-fade beside it. A and B are indices into the data's test set, or
            PNG/PGM files (made grayscale, resized to the model's input by area averaging, and
            inverted when drawn dark on light, unless --invert says otherwise).

            Example:
              latent interpolate 0 1
              latent interpolate 17 4242 --model conv2.safetensors --data fashion-mnist
              latent interpolate shoe.png 42
              latent interpolate 0 1 --steps 12 --spherical --out strip.png
            """)

    @Argument(help: "The first image: a test-set index or an image file.")
    var a: String

    @Argument(help: "The second image: a test-set index or an image file.")
    var b: String

    @Option(help: "Invert image files: automatic (when the background is light), always or never.")
    var invert: ImageFile.Inversion = .automatic

    @Option(help: "Write the strip as a PNG instead of opening the explorer (works without a terminal).")
    var out: String?

    @Option(help: "Frames in the strip, ends included (with --out).")
    var steps: Int = 9

    @Flag(help: "Spherical path (slerp) instead of a straight line (with --out).")
    var spherical = false

    @OptionGroup var options: ExploreOptions

    func run() throws {
        if let out {
            try writeStrip(to: out)
            return
        }
        try options.openExplorer(firstScreen: 1, ends: (InterpolationSource(a), InterpolationSource(b), invert))
    }

    /// Decoded frames along the path in the first row, the pixel cross-fade in the second.
    private func writeStrip(to out: String) throws {
        if steps < 2 || steps > 100 { throw UsageError("--steps must be from 2 to 100, got \(steps)") }
        try OutputPath.check(out)
        let loaded = try options.source.loadModel()
        let model = loaded.model
        let split = try options.source.loadData(for: loaded)
        let ends = try (InterpolationSource(a).end(model: model, test: split.test, invert: invert),
                        InterpolationSource(b).end(model: model, test: split.test, invert: invert))
        let path: InterpolateScreen.Path = spherical ? .spherical : .linear
        let decoded = (0..<steps).map {
            model.decode(point: InterpolateScreen.point($0, of: steps, from: ends.0.latent, to: ends.1.latent, path: path))
        }
        let faded = (0..<steps).map { i -> [Float] in
            let t = Float(i) / Float(steps - 1)
            return zip(ends.0.image, ends.1.image).map { $0 + t * ($1 - $0) }
        }
        let shape = model.configuration.architecture.image
        let picture = ImageFile.tiled(decoded + faded, width: shape.width, height: shape.height, columns: steps, scale: 2)
        try ImageFile.writePNG(picture, to: out)
        Console.line("wrote \(out): \(steps) frames from \(ends.0.name) to \(ends.1.name) (\(path.rawValue)), cross-fade below")
    }
}

/// Where one end of an interpolation comes from.
enum InterpolationSource {
    case index(Int)
    case file(String)

    /// An existing file wins over a number, so that a file named "3" can be used.
    init(_ text: String) {
        if let index = Int(text), !FileManager.default.fileExists(atPath: text) {
            self = .index(index)
        } else {
            self = .file(text)
        }
    }

    /// The image and its posterior mean: a test image by index, or a file fitted to the model.
    func end(model: VAE, test: Dataset, invert: ImageFile.Inversion) throws -> InterpolationEnd {
        switch self {
        case .index(let index):
            guard (0..<test.count).contains(index) else {
                throw UsageError("image \(index) is not in \(test.name): use 0 to \(test.count - 1)")
            }
            return InterpolationEnd(name: "#\(index)", image: Array(test.image(index)), model: model)
        case .file(let path):
            guard model.configuration.architecture.image.channels == 1 else {
                throw UsageError("\(path): image files need a grayscale model")
            }
            let image = ImageFile.prepared(try ImageFile.read(path: path), for: model.configuration.architecture.image,
                                           inversion: invert)
            return InterpolationEnd(name: URL(fileURLWithPath: path).lastPathComponent, image: image, model: model)
        }
    }
}

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

    /// Loads the model and data and runs the app, starting on screen `firstScreen`
    /// (0 explore, 1 interpolate) with the interpolation's ends when given.
    func openExplorer(firstScreen: Int, ends: (a: InterpolationSource, b: InterpolationSource, invert: ImageFile.Inversion)?) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw UsageError("the explorer needs an interactive terminal; without one use latent train, latent bench or latent info")
        }
        if points < 1 { throw UsageError("--points must be at least 1, got \(points)") }
        let path = try source.modelPath()
        let (vae, checkpoint) = try source.loadModel()
        let spec = source.data ?? checkpoint.data ?? "fashion-mnist"
        var note = ""
        let split: DataSplit
        if source.data == nil, spec == "fashion-mnist", !FileManager.default.fileExists(atPath: DataSpec.fashionMNISTDirectory) {
            // A first run without the dataset package still opens, on digits generated here.
            split = try DataSpec.loadForCommand("synthetic", limit: nil)
            note = "fashion-mnist is not installed (sudo apt-get install dataset-fashion-mnist): showing synthetic digits"
        } else {
            split = try DataSpec.loadForCommand(spec, limit: nil)
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
                return try source.end(model: vae, test: state.data, invert: ends.invert)
            }
            let a = try end(ends.a) { state.endpoints.a = $0 }
            let b = try end(ends.b) { state.endpoints.b = $0 }
            // Two indices are marks on the map; a file makes both ends fixed images.
            if case .index = ends.a, case .index = ends.b {} else { givenEnds = (a, b) }
        }
        let terminal: NCursesTerminal
        do {
            terminal = try NCursesTerminal(noColor: noColor)
        } catch {
            throw UsageError("cannot open the terminal: \(error); without one use latent train, latent bench or latent info")
        }
        let interrupt = InterruptHandler { NCursesTerminal.restoreAndExit() }
        defer { interrupt.restore(); terminal.restore() }
        let title = note.isEmpty
            ? "\(URL(fileURLWithPath: path).lastPathComponent), \(vae.configuration.architecture.name), \(split.test.name) (\(state.data.count) images)"
            : note
        let screens: [AppScreen] = [
            ExploreScreen(state: state, abilities: terminal.abilities, imageGlyphs: glyphs),
            InterpolateScreen(state: state, abilities: terminal.abilities, ends: givenEnds),
        ]
        ExplorerApp(terminal: terminal, screens: screens, title: title, first: firstScreen).run()
    }
}
