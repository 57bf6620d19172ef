/// A colour a cell can ask for, in terms every terminal backend can map down.
public enum TerminalColor: Hashable, Sendable {
    /// The terminal's own foreground or background.
    case terminalDefault
    /// One of the 26 exact greys of a 256-colour terminal: 0 is black, 25 white (see `GrayRamp`).
    case gray(Int)
    /// An entry of the 256-colour palette (0-15 are the user's themed colours).
    case palette(Int)
    /// An sRGB colour, 0-255 a channel: exact where the terminal has direct colour, else the
    /// nearest fixed colour of the 256-colour palette after an ordered dither (`Palette256`).
    case rgb(UInt8, UInt8, UInt8)
}

/// Text styles a cell can carry.
public struct CellStyle: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = CellStyle(rawValue: 1)
    public static let reverse = CellStyle(rawValue: 2)
    public static let dim = CellStyle(rawValue: 4)
    public static let underline = CellStyle(rawValue: 8)
}

/// One character cell: a glyph of terminal width 1 and its colours.
public struct Cell: Hashable, Sendable {
    public var glyph: Unicode.Scalar
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var style: CellStyle

    public init(_ glyph: Unicode.Scalar = " ", foreground: TerminalColor = .terminalDefault,
                background: TerminalColor = .terminalDefault, style: CellStyle = []) {
        self.glyph = glyph
        self.foreground = foreground
        self.background = background
        self.style = style
    }

    /// An empty cell in the terminal's default colours.
    public static let blank = Cell()
}
