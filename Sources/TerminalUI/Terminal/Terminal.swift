/// What the explorer needs from a terminal: its size and abilities, showing a frame, and keys.
///
/// Two implementations: `NCursesTerminal` for real terminals and `MemoryTerminal` for tests.
public protocol Terminal: AnyObject {
    /// Columns and rows.
    var size: (columns: Int, rows: Int) { get }
    /// Colours and Unicode.
    var abilities: TerminalAbilities { get }
    /// Shows `grid` (of `size`) as the new screen contents.
    func present(_ grid: Grid)
    /// The next key, waiting at most `milliseconds` (nil when none came).
    func readKey(milliseconds: Int) -> Key?
    /// Makes the next `present` draw every cell, whatever the terminal shows now (Ctrl-L).
    func redraw()
}

/// An in-memory terminal: frames are kept for inspection and keys come from a script.
public final class MemoryTerminal: Terminal {
    public var size: (columns: Int, rows: Int)
    public let abilities: TerminalAbilities
    /// Keys still to be delivered, first first.
    public var pendingKeys: [Key]
    /// The last frame presented.
    public private(set) var screen: Grid
    /// Frames presented so far.
    public private(set) var frames = 0
    /// Times a full redraw was asked for.
    public private(set) var redraws = 0

    public init(columns: Int, rows: Int, abilities: TerminalAbilities = TerminalAbilities(unicode: true, colors: 256, noColor: false),
                keys: [Key] = []) {
        size = (columns, rows)
        self.abilities = abilities
        pendingKeys = keys
        screen = Grid(width: columns, height: rows)
    }

    public func present(_ grid: Grid) {
        screen = grid
        frames += 1
    }

    public func readKey(milliseconds: Int) -> Key? {
        pendingKeys.isEmpty ? nil : pendingKeys.removeFirst()
    }

    public func redraw() { redraws += 1 }
}
