import VAECore

/// The interactive explorer: draws frames into a `Grid`, shows them on a `Terminal`, and
/// turns keys into moves until the user quits.
public final class ExplorerApp {
    public let terminal: Terminal
    public let state: ExploreState
    public var view: ExploreView
    /// Title shown on the top row.
    public let title: String
    public private(set) var showingHelp = false
    public private(set) var finished = false

    public init(terminal: Terminal, state: ExploreState, title: String, imageGlyphs: GlyphMode? = nil) {
        self.terminal = terminal
        self.state = state
        self.title = title
        view = ExploreView(abilities: terminal.abilities, imageGlyphs: imageGlyphs)
    }

    /// Runs until `q`; `maximumFrames` bounds the loop for tests.
    public func run(maximumFrames: Int = .max) {
        var frames = 0
        while !finished && frames < maximumFrames {
            terminal.present(frame())
            frames += 1
            guard let key = terminal.readKey(milliseconds: 100) else { continue }
            handle(key)
        }
    }

    /// Acts on one key.
    public func handle(_ key: Key) {
        if showingHelp {
            if key != .resize { showingHelp = false }
            if key == .character("q") { finished = true }
            return
        }
        switch key {
        case .up, .character("k"): state.move(dx: 0, dy: 1)
        case .down, .character("j"): state.move(dx: 0, dy: -1)
        case .left, .character("h"): state.move(dx: -1, dy: 0)
        case .right, .character("l"): state.move(dx: 1, dy: 0)
        case .character("+"), .character("="): state.changeStep(bigger: true)
        case .character("-"), .character("_"): state.changeStep(bigger: false)
        case .character("n"): state.jumpToNearest()
        case .character("x"): state.cycleAxis(horizontal: true)
        case .character("y"): state.cycleAxis(horizontal: false)
        case .character("?"): showingHelp = true
        case .character("q"), .escape: finished = true
        default: break
        }
    }

    /// The arrow keys' name on this terminal.
    private var arrows: String { terminal.abilities.unicode ? "←↑↓→" : "arrows" }

    /// The keys, for the help screen.
    private var keys: [(keys: String, action: String)] {
        [("\(arrows) hjkl", "move the cursor"), ("+ -", "bigger or smaller steps"),
         ("n", "jump to the nearest encoded image"),
         ("x y", "next latent dimension on the horizontal or vertical axis"), ("?", "this help"), ("q", "quit")]
    }

    /// The whole screen for the current state and terminal size.
    public func frame() -> Grid {
        let (columns, rows) = terminal.size
        var grid = Grid(width: columns, height: rows)
        let minimum = ExploreView.minimumSize
        guard columns >= minimum.columns, rows >= minimum.rows else {
            grid.put("Terminal too small: \(columns)x\(rows)", x: 0, y: 0, maxWidth: columns)
            grid.put("latent needs \(minimum.columns)x\(minimum.rows)", x: 0, y: min(1, rows - 1), maxWidth: columns)
            grid.put("q quits", x: 0, y: min(2, rows - 1), maxWidth: columns)
            return grid
        }
        let dot = terminal.abilities.unicode ? "·" : "-"
        grid.put(" latent \(dot) explore \(dot) \(title)", x: 0, y: 0, style: .bold, maxWidth: columns)
        view.draw(state, into: &grid, top: 1, rows: rows - 2)
        let status = " \(arrows)/hjkl move  +/- step \(view.formatted(state.step))  n nearest  ? help  q quit"
        grid.fill(x: 0, y: rows - 1, width: columns, height: 1, with: Cell(" ", style: .reverse))
        grid.put(status, x: 0, y: rows - 1, style: .reverse, maxWidth: columns)
        if showingHelp { drawHelp(into: &grid) }
        return grid
    }

    private func drawHelp(into grid: inout Grid) {
        let lines = ["Keys"] + keys.map { "  \($0.keys.padding(toLength: 12, withPad: " ", startingAt: 0)) \($0.action)" }
            + ["", "any key closes this help"]
        let width = (lines.map(\.count).max() ?? 0) + 4, height = lines.count + 2
        let left = (grid.width - width) / 2, top = (grid.height - height) / 2
        grid.fill(x: left, y: top, width: width, height: height, with: Cell(" ", style: .reverse))
        for (i, line) in lines.enumerated() {
            grid.put(line, x: left + 2, y: top + 1 + i, style: i == 0 ? [.reverse, .bold] : .reverse, maxWidth: width - 4)
        }
    }
}
