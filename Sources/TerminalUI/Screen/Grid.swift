/// A frame of character cells: what a view draws and a terminal backend shows.
///
/// Views never talk to curses; they fill a Grid. The ncurses backend copies it to the screen,
/// and tests compare it with golden text.
public struct Grid: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        precondition(width >= 0 && height >= 0, "grid size \(width)x\(height)")
        self.width = width
        self.height = height
        cells = Array(repeating: .blank, count: width * height)
    }

    /// The cell at column `x`, row `y`; writes outside the grid are dropped.
    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Writes `text` from (x, y) rightwards, clipped to the grid and to `maxWidth` cells.
    public mutating func put(_ text: String, x: Int, y: Int, foreground: TerminalColor = .terminalDefault,
                             background: TerminalColor = .terminalDefault, style: CellStyle = [],
                             maxWidth: Int? = nil) {
        let limit = min(width - x, maxWidth ?? Int.max)
        var column = 0
        for text in text.unicodeScalars where column < limit {
            // A control character would move the terminal's cursor or change its state.
            let scalar = String.needsEscape(text) ? "?" : text
            self[x + column, y] = Cell(scalar, foreground: foreground, background: background, style: style)
            column += 1
        }
    }

    /// Fills a rectangle with one cell.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, with cell: Cell) {
        for row in max(0, y)..<min(height, y + h) {
            for column in max(0, x)..<min(width, x + w) { cells[row * width + column] = cell }
        }
    }

    /// The glyphs of each row, trailing spaces kept, for tests and snapshots.
    public var lines: [String] {
        (0..<height).map { row in
            String(String.UnicodeScalarView(cells[(row * width)..<((row + 1) * width)].map(\.glyph)))
        }
    }
}
