import Dispatch
import VAECore

/// What the explorer shows while its data loads and the map's images are encoded: at once the
/// image the model decodes at the origin and an empty map that says what it waits for; when
/// the work is done, `whenLoaded` puts the real views in its place.
public final class LoadingScreen<Loaded>: AppScreen {
    public let name: String
    private let model: VAE
    private let abilities: TerminalAbilities
    private let waitingFor: String
    private let decoded: [Float]
    private let work = BackgroundWork<Result<Loaded, Error>>()
    /// Called on the app's thread with what `load` made, to put the real views in place.
    public var whenLoaded: ((Loaded) -> Void)?
    private let started = DispatchTime.now().uptimeNanoseconds
    /// Why loading failed; the app then ends and the command reports it.
    public private(set) var failure: Error?
    /// The work is done and its result handed on.
    public private(set) var loaded = false

    /// Starts `load` on another thread. `name` is the view it stands in for, `waitingFor` says
    /// what it waits for ("encoding 5000 test images"). The model is decoded here once, before
    /// `load` starts, which may then use it alone.
    public init(name: String, model: VAE, abilities: TerminalAbilities, waitingFor: String,
                load: @escaping @Sendable () throws -> Loaded) {
        self.name = name
        self.model = model
        self.abilities = abilities
        self.waitingFor = waitingFor
        decoded = model.decode(point: [Float](repeating: 0, count: model.latentSize))
        work.start { Result { try load() } }
    }

    public func update() {
        guard let result = work.take() else { return }
        switch result {
        case .success(let value):
            loaded = true
            whenLoaded?(value)
        case .failure(let error):
            failure = error
        }
    }

    /// Blocks until the work has finished (for tests).
    func waitForLoad() { work.wait() }

    public var requestsQuit: Bool { failure != nil }

    public var isBusy: Bool { !loaded && failure == nil }

    /// Keys pressed while loading that the real views will act on, first first.
    public private(set) var deferredKeys: [Key] = []

    /// Keeps the keys of the views to come (moves, marks), for `deferredKeys`; the app's own
    /// (q, ?, Tab, Ctrl-L) act at once.
    public func handle(_ key: Key) -> Bool {
        switch key {
        case .character("q"), .character("?"), .tab, .backTab, .redraw, .resize, .mouse: return false
        case .character(let c) where c.isNumber: return false
        default:
            deferredKeys.append(key)
            return true
        }
    }

    public var statusKeys: [String] { ["loading"] }

    public var helpKeys: [(keys: String, action: String)] { [] }

    /// The map's place with what it waits for, and the image decoded at the origin where the
    /// explore view draws its image.
    public func draw(into grid: inout Grid, top: Int, rows: Int) {
        let imageColumns = ExploreView.imageColumns(width: grid.width)
        let mapColumns = grid.width - imageColumns - 1
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let line = PriorityLine([.init(waitingFor, priority: 2), .init(String(format: "%.1f s", seconds), priority: 1)])
        grid.put(line.text(width: mapColumns - 2), x: 1, y: top + rows / 2, style: .dim, maxWidth: mapColumns - 2)
        let shape = model.configuration.architecture.image
        grid.put("z = (\(Array(repeating: "0", count: min(4, model.latentSize)).joined(separator: ", ")))",
                 x: mapColumns + 1, y: top, maxWidth: imageColumns)
        ImageRenderer(mode: abilities.imageGlyphs, color: abilities.usesColor)
            .draw(decoded, shape: shape, into: &grid,
                  x: mapColumns + 1, y: top + 1, columns: imageColumns, rows: max(2, rows - 2))
        grid.put("decoded at the origin", x: mapColumns + 1, y: top + rows - 1, style: .dim, maxWidth: imageColumns)
    }
}
