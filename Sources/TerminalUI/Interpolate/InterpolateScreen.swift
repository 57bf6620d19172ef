import Dispatch
import Foundation
import VAECore

/// Interpolation between two encoded images: a strip of frames decoded along a path through
/// latent space, the current frame large, and the pixel-space cross-fade beside it.
public final class InterpolateScreen: AppScreen {
    public private(set) var state: ExploreState
    /// Ends given as images (files) rather than as encoded images of the data, when set.
    public let givenEnds: (a: InterpolationEnd, b: InterpolationEnd)?
    private let abilities: TerminalAbilities
    /// Frames along the path, ends included.
    public let frameCount: Int
    public private(set) var path: LatentPath = .linear
    /// Index of the frame shown large.
    public private(set) var position = 0
    public private(set) var animating = false
    private var lastTick: UInt64 = 0
    private var frames: [[Float]] = []
    private var framesFor: (a: String, b: String, path: LatentPath)?
    /// The strip's frames as last drawn: their columns and rows, for mouse clicks.
    private var stripCells: [(columns: Range<Int>, rows: ClosedRange<Int>, frame: Int)] = []

    public init(state: ExploreState, abilities: TerminalAbilities, frameCount: Int = 9, path: LatentPath = .linear,
                ends givenEnds: (a: InterpolationEnd, b: InterpolationEnd)? = nil) {
        precondition(frameCount >= 2, "an interpolation needs at least 2 frames")
        self.state = state
        self.givenEnds = givenEnds
        self.abilities = abilities
        self.frameCount = frameCount
        self.path = path
    }

    public var name: String { "interpolate" }

    /// Shows another model's state (a newer snapshot during training).
    public func replace(state newState: ExploreState) {
        state = newState
        framesFor = nil
    }

    /// The indices of the two encoded images between which to interpolate: those marked on the
    /// map, defaulting to the first two images of different labels.
    public var endIndices: (a: Int, b: Int) {
        let a = state.endpoints.a ?? 0
        let labels = state.data.labels
        let b = state.endpoints.b ?? (1..<max(2, state.data.count)).first { index in
            labels.map { $0[index] != $0[a] } ?? true
        } ?? min(1, state.data.count - 1)
        return (a, b)
    }

    /// The two ends: the given images, or the encoded images of `endIndices`.
    public var ends: (a: InterpolationEnd, b: InterpolationEnd) {
        if let givenEnds { return givenEnds }
        let (a, b) = endIndices
        func end(_ index: Int) -> InterpolationEnd {
            InterpolationEnd(name: state.data.caption(of: index), image: Array(state.data.image(index)),
                             latent: state.latentMean(of: index))
        }
        return (end(a), end(b))
    }

    /// The decoded frames for the current ends and path, made when they change.
    public func decodedFrames() -> [[Float]] {
        let (a, b) = ends
        if let made = framesFor, made == (a.name, b.name, path) { return frames }
        frames = path.points(count: frameCount, from: a.latent, to: b.latent).map { state.model.decode(point: $0) }
        framesFor = (a.name, b.name, path)
        return frames
    }

    /// The pixel-space blend of the two originals at frame `i`, for contrast.
    public func crossFade(_ i: Int) -> [Float] {
        let (a, b) = ends
        return CrossFade(from: a.image, to: b.image).frame(i, of: frameCount)
    }

    public var isBusy: Bool { animating }

    public func update() {
        guard animating else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if now - lastTick > 150_000_000 {
            lastTick = now
            position = (position + 1) % frameCount
        }
    }

    public func handle(_ key: Key) -> Bool {
        switch key {
        case .left, .character("h"): position = max(0, position - 1); animating = false
        case .right, .character("l"): position = min(frameCount - 1, position + 1); animating = false
        case .home: position = 0; animating = false
        case .end: position = frameCount - 1; animating = false
        case .pageUp: position = max(0, position - max(1, frameCount / 4)); animating = false
        case .pageDown: position = min(frameCount - 1, position + max(1, frameCount / 4)); animating = false
        case .character(" "): animating.toggle()
        case .character("p"): path = path == .linear ? .spherical : .linear
        case .mouse(let event) where event.kind == .click:
            guard let hit = stripCells.first(where: { $0.columns.contains(event.x) && $0.rows.contains(event.y) }) else { return false }
            position = hit.frame; animating = false
        case .mouse(let event):
            position = event.kind == .wheelUp ? max(0, position - 1) : min(frameCount - 1, position + 1); animating = false
        default: return false
        }
        return true
    }

    public var statusKeys: [String] {
        ["left/right scrub", "space animate", "p path (\(path.rawValue))", "Home/End ends"]
    }

    public var helpKeys: [(keys: String, action: String)] {
        [("left right hl", "move along the path"), ("Home End", "first or last frame"),
         ("PgUp PgDn", "a quarter of the path back or on"), ("space", "animate"),
         ("p", "linear or spherical path"), ("a b (explore)", "choose the two images on the map"),
         ("click, wheel", "show a strip frame; step along the path")]
    }

    public func draw(into grid: inout Grid, top: Int, rows: Int) {
        let (a, b) = ends
        let shape = state.data.shape
        let frames = decodedFrames()
        let renderer = ImageRenderer(mode: abilities.imageGlyphs, color: abilities.usesColor)
        let heading = PriorityLine([.init("from \(a.name) to \(b.name)", priority: 2), .init("\(path.rawValue) path", priority: 1),
                                    .init("frame \(position + 1)/\(frameCount)", priority: 3)])
        grid.put(heading.text(width: grid.width - 2), x: 1, y: top, maxWidth: grid.width - 2)
        // The strip: the frames small, each numbered below, the current number highlighted;
        // when they do not all fit, the part of the strip around the current frame.
        let cell = max(6, min(14, (grid.width - 2) / frameCount - 1))
        let stripRows = max(3, cell / 2)
        let visible = stripWindow(width: grid.width, cell: cell)
        stripCells = []
        for (column, i) in visible.enumerated() {
            let x = 1 + column * (cell + 1)
            renderer.draw(frames[i], shape: shape, into: &grid, x: x, y: top + 1, columns: cell, rows: stripRows)
            let number = "\(i + 1)"
            grid.put(number, x: x + (cell - number.count) / 2, y: top + 1 + stripRows,
                     style: i == position ? [.reverse, .bold] : .dim)
            stripCells.append((x..<(x + cell), (top + 1)...(top + 1 + stripRows), i))
        }
        // The current frame large, and the pixel blend at the same point.
        let y = top + stripRows + 3
        let bigRows = rows - stripRows - 3
        let half = (grid.width - 3) / 2
        grid.put(half >= 30 ? "decoded from latent space" : "decoded", x: 1, y: y - 1, style: .dim, maxWidth: half)
        grid.put(half >= 30 ? "pixel cross-fade, for contrast" : "pixel cross-fade", x: half + 2, y: y - 1, style: .dim, maxWidth: half)
        renderer.draw(frames[position], shape: shape, into: &grid, x: 1, y: y, columns: half, rows: bigRows)
        renderer.draw(crossFade(position), shape: shape, into: &grid,
                      x: half + 2, y: y, columns: half, rows: bigRows)
    }
}

extension InterpolateScreen {
    /// The frames of the strip that fit in `width` columns, centred on the current one.
    func stripWindow(width: Int, cell: Int) -> Range<Int> {
        let fitting = max(1, min(frameCount, (width - 1) / (cell + 1)))
        let first = max(0, min(frameCount - fitting, position - fitting / 2))
        return first..<(first + fitting)
    }
}
