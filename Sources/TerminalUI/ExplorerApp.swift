/// The interactive app: draws frames into a `Grid`, shows them on a `Terminal`, and passes
/// keys to the current screen until the user quits. Tab or the digit keys switch screens.
public final class ExplorerApp {
    public let terminal: Terminal
    public private(set) var screens: [AppScreen]
    public private(set) var current = 0
    /// Title shown on the top row.
    public private(set) var title: String
    public private(set) var showingHelp = false
    public private(set) var finished = false
    /// `q` (or a screen or signal) asked to quit; the app ends when no screen is finishing.
    public private(set) var quitting = false
    /// Set from a signal handler to end the app from its own thread within a frame (curses may
    /// only be touched by the thread that runs the app).
    public let quitRequest = SignalFlag()
    /// Something changed that the screen does not show yet.
    private var needsFrame = true
    /// The tabs on the top row as last drawn, for mouse clicks.
    private var tabCells: [(columns: Range<Int>, screen: Int)] = []

    /// An app showing `screens`, starting on screen `first`.
    public init(terminal: Terminal, screens: [AppScreen], title: String, first: Int = 0) {
        precondition(!screens.isEmpty && screens.indices.contains(first), "the app needs a screen to start on")
        self.terminal = terminal
        self.screens = screens
        self.title = title
        current = first
    }

    /// An app with the explore screen alone.
    public convenience init(terminal: Terminal, state: ExploreState, title: String) {
        self.init(terminal: terminal,
                  screens: [ExploreScreen(state: state, abilities: terminal.abilities)],
                  title: title)
    }

    /// Puts `screens` in place of the current ones (a loading screen's, once loaded), showing
    /// screen `first`, under `title`.
    public func replaceScreens(_ newScreens: [AppScreen], title newTitle: String, first: Int = 0) {
        precondition(!newScreens.isEmpty && newScreens.indices.contains(first), "the app needs a screen to show")
        screens = newScreens
        title = newTitle
        current = first
        needsFrame = true
    }

    /// The explore screen's state, when the app has one.
    public var state: ExploreState {
        screens.compactMap { ($0 as? ExploreScreen)?.state }.first!
    }

    /// Runs until `q`; `maximumFrames` bounds the loop's turns for tests.
    ///
    /// Keys are waited for 50 ms at a time, so a resize or a signal's quit request is seen at
    /// once; a frame is drawn only after a key, a resize or while a screen is busy, so an idle
    /// app costs next to no CPU.
    public func run(maximumFrames: Int = .max) {
        var turns = 0
        var drawn: (columns: Int, rows: Int)?
        needsFrame = true
        while !finished && turns < maximumFrames {
            turns += 1
            for screen in screens { screen.update() }
            if quitRequest.isSet || screens.contains(where: \.requestsQuit) { quit() }
            // A screen that still finishes its work (a trainer's test pass and save) keeps the
            // app drawing, so the user sees what it waits for.
            if quitting && !screens.contains(where: \.isFinishing) {
                finished = true
                break
            }
            let size = terminal.size
            if needsFrame || drawn.map({ $0 != size }) ?? true || screens.contains(where: \.isBusy) {
                terminal.present(frame())
                drawn = size
                needsFrame = false
            }
            guard let key = terminal.readKey(milliseconds: 50) else { continue }
            if !quitting || key == .redraw { handle(key) }
            needsFrame = true
        }
    }

    /// Acts on one key.
    ///
    /// Every key closes the help overlay and does nothing else there, `q` and Esc included. Esc
    /// never quits: a terminal's unknown sequences and Alt keys start with it.
    public func handle(_ key: Key) {
        if key == .redraw {
            terminal.redraw()
            return
        }
        if showingHelp {
            if key != .resize { showingHelp = false }
            return
        }
        if case .mouse(let event) = key, event.kind == .click, event.y == 0,
           let tab = tabCells.first(where: { $0.columns.contains(event.x) }) {
            current = tab.screen
            return
        }
        if screens[current].handle(key) { return }
        switch key {
        case .tab: current = (current + 1) % screens.count
        case .backTab: current = (current + screens.count - 1) % screens.count
        case .character(let c) where c.isNumber && Int(String(c)).map({ $0 >= 1 && $0 <= screens.count }) == true:
            current = Int(String(c))! - 1
        case .character("?"): showingHelp = true
        case .character("q"): quit()
        default: break
        }
    }

    /// Asks every screen to stop; the app ends once none is still finishing, showing the
    /// one that is meanwhile.
    private func quit() {
        guard !quitting else { return }
        quitting = true
        showingHelp = false
        for screen in screens { screen.willQuit() }
        if let finishing = screens.firstIndex(where: \.isFinishing) { current = finishing }
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
        let screen = screens[current]
        let tabs = screens.count > 1 ? screens.enumerated().map { "\($0.offset + 1) \($0.element.name)" } : []
        let tabsWidth = tabs.map { $0.count + 2 }.reduce(0, +)
        // ASCII separators: the middle dot and the ellipsis are double width on terminals set
        // for East Asian text.
        var heading = " latent - \(screen.name) - \(title)"
        if heading.count > columns - tabsWidth - 1 {
            heading = String(heading.prefix(max(0, columns - tabsWidth - 4))) + "..."
        }
        grid.put(heading, x: 0, y: 0, style: .bold, maxWidth: columns - tabsWidth)
        tabCells = []
        var x = columns - tabsWidth
        for (index, tab) in tabs.enumerated() {
            grid.put(" \(tab) ", x: x, y: 0, style: index == current ? [.reverse, .bold] : .dim)
            tabCells.append((x..<(x + tab.count + 2), index))
            x += tab.count + 2
        }
        screen.draw(into: &grid, top: 1, rows: rows - 2)
        grid.fill(x: 0, y: rows - 1, width: columns, height: 1, with: Cell(" ", style: .reverse))
        grid.put(" " + statusLine.text(width: columns - 2), x: 0, y: rows - 1, style: .reverse, maxWidth: columns)
        if showingHelp { drawHelp(into: &grid) }
        return grid
    }

    /// The status bar: the screen's fields, then Tab, help and quit. The screen's first field,
    /// q and ? stay longest; the screen's other fields go first, last first.
    var statusLine: PriorityLine {
        let keys = screens[current].statusKeys
        var fields = keys.enumerated().map { PriorityLine.Field($0.element, priority: $0.offset == 0 ? 50 : 40 - $0.offset) }
        if screens.count > 1 { fields.append(.init("Tab view", priority: 45)) }
        fields.append(.init("? help", priority: 90))
        fields.append(.init("q quit", priority: 100))
        return PriorityLine(fields)
    }

    /// The help overlay's text for a terminal `columns` wide: the current screen's keys, then
    /// those every screen has; an action too long for the width goes on under itself.
    func helpLines(columns: Int) -> [String] {
        var keys = screens[current].helpKeys
        if screens.count > 1 { keys.append(("Tab 1-\(screens.count)", "switch view (or click its tab)")) }
        keys.append(("?", "this help"))
        keys.append(("Ctrl-L", "draw the screen again"))
        // A screen may say what q does there (the monitor saves first).
        if !keys.contains(where: { $0.keys == "q" }) { keys.append(("q", "quit")) }
        let keyWidth = max(12, keys.map(\.keys.count).max() ?? 0)
        let actionWidth = max(10, columns - 4 - keyWidth - 3)
        var lines = ["Keys"]
        for (key, action) in keys {
            for (i, part) in ExplorerApp.wrap(action, width: actionWidth).enumerated() {
                lines.append("  \((i == 0 ? key : "").padding(toLength: keyWidth, withPad: " ", startingAt: 0)) \(part)")
            }
        }
        return lines + ["", "any key closes this help"]
    }

    /// `text` in lines of at most `width` characters, broken at spaces where it can be.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
            while line.count > width {
                lines.append(String(line.prefix(width)))
                line = String(line.dropFirst(width))
            }
        }
        return lines + (line.isEmpty ? [] : [line])
    }

    /// The help in a box in the middle of the screen; on a screen too short for it the blank
    /// line goes, then the box covers the title and status rows too.
    private func drawHelp(into grid: inout Grid) {
        var lines = helpLines(columns: grid.width)
        if lines.count + 2 > grid.height { lines.remove(at: lines.count - 2) }
        let width = min(grid.width, (lines.map(\.count).max() ?? 0) + 4), height = min(grid.height, lines.count + 2)
        let left = (grid.width - width) / 2, top = (grid.height - height) / 2
        grid.fill(x: left, y: top, width: width, height: height, with: Cell(" ", style: .reverse))
        for (i, line) in lines.prefix(height - 2).enumerated() {
            grid.put(line, x: left + 2, y: top + 1 + i, style: i == 0 ? [.reverse, .bold] : .reverse, maxWidth: width - 4)
        }
    }
}
