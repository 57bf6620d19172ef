import Dispatch

/// The explore view as an app screen: the latent map, the cursor and the decoded image.
public final class ExploreScreen: AppScreen {
    public private(set) var state: ExploreState
    public var view: ExploreView
    /// Where the map was last drawn, to read mouse clicks.
    public private(set) var mapLayout: MapLayout?
    /// Why the last key did nothing, shown on the status bar for a few seconds.
    public private(set) var notice: String?
    private var noticeShown: UInt64 = 0
    /// How long a notice stays on the status bar.
    var noticeSeconds = 4.0

    public init(state: ExploreState, abilities: TerminalAbilities) {
        self.state = state
        view = ExploreView(abilities: abilities)
    }

    public var name: String { "explore" }

    /// Shows another model's state (a newer snapshot during training), keeping the marked ends.
    public func replace(state newState: ExploreState) {
        newState.endpoints = state.endpoints
        state = newState
    }

    public func draw(into grid: inout Grid, top: Int, rows: Int) {
        mapLayout = view.draw(state, into: &grid, top: top, rows: rows)
    }

    public func handle(_ key: Key) -> Bool {
        switch key {
        case .up, .character("k"): state.move(dx: 0, dy: 1)
        case .down, .character("j"): state.move(dx: 0, dy: -1)
        case .left, .character("h"): state.move(dx: -1, dy: 0)
        case .right, .character("l"): state.move(dx: 1, dy: 0)
        case .home: state.moveToEdge(right: false)
        case .end: state.moveToEdge(right: true)
        case .pageUp: state.move(dx: 0, dy: ExploreScreen.pageSteps)
        case .pageDown: state.move(dx: 0, dy: -ExploreScreen.pageSteps)
        case .character("+"), .character("="): state.changeStep(bigger: true)
        case .character("-"), .character("_"): state.changeStep(bigger: false)
        case .character("n"): state.jumpToNearest()
        case .character(let c) where "xyp".contains(c) && state.model.latentSize <= 2:
            say("a 2-D model: its two latent dimensions are the map's axes already")
        case .character("x"): state.cycleAxis(horizontal: true)
        case .character("y"): state.cycleAxis(horizontal: false)
        case .character("g"): state.showsManifold.toggle()
        case .character("p"): state.togglePrincipalAxes()
        case .character("a"):
            state.endpoints.a = state.nearest ?? state.nearestIndex()
            sayEndpoints()
        case .character("b"):
            state.endpoints.b = state.nearest ?? state.nearestIndex()
            sayEndpoints()
        case .mouse(let event): return handle(event)
        default: return false
        }
        return true
    }

    /// A click on the map moves the cursor there; the wheel changes the step.
    private func handle(_ event: MouseEvent) -> Bool {
        switch event.kind {
        case .click:
            guard let position = mapLayout?.position(ofCell: event.x, event.y) else { return false }
            state.moveTo(x: position.x, y: position.y)
        case .wheelUp: state.changeStep(bigger: true)
        case .wheelDown: state.changeStep(bigger: false)
        }
        return true
    }

    /// Confirms the interpolation's ends on the status bar after a or b.
    private func sayEndpoints() {
        func name(_ index: Int?) -> String { index.map { state.data.caption(of: $0) } ?? "not set" }
        say("ends: a \(name(state.endpoints.a)), b \(name(state.endpoints.b))")
    }

    private func say(_ text: String) {
        notice = text
        noticeShown = DispatchTime.now().uptimeNanoseconds
    }

    private var showsNotice: Bool {
        notice != nil && Double(DispatchTime.now().uptimeNanoseconds - noticeShown) / 1e9 < noticeSeconds
    }

    /// Busy while a notice shows, so the status bar is drawn again when it goes.
    public var isBusy: Bool { showsNotice }

    public var statusKeys: [String] {
        if showsNotice, let notice { return [notice] }
        return ["arrows/hjkl move", "+/- step \(ExploreView.formatted(state.step))", "n nearest", "g grid", "a b ends"]
    }

    /// Steps Page Up and Page Down move the cursor.
    static let pageSteps = 8

    public var helpKeys: [(keys: String, action: String)] {
        [("arrows hjkl", "move the cursor"), ("PgUp PgDn", "\(ExploreScreen.pageSteps) steps up or down"),
         ("Home End", "to the map's left or right edge"), ("+ -", "bigger or smaller steps"),
         ("n", "jump to the nearest encoded image"), ("g", "manifold grid: decoded images on the map"),
         ("x y", "next latent dimension on the x or y axis"),
         ("p", "the encodings' principal axes, or back"),
         ("a b", "mark the nearest image as a path's end"),
         ("click, wheel", "move the cursor there; change the step")]
    }
}
