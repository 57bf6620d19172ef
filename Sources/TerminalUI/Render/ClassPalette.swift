/// How the classes of a dataset are told apart on the map and in its legend: a colour from a
/// palette made for colour-blind readers, and a glyph (the class's digit or letter) that says
/// the same thing where colours cannot (8-colour terminals, `--no-color`, `NO_COLOR`).
public struct ClassPalette: Sendable {
    public var abilities: TerminalAbilities

    public init(abilities: TerminalAbilities) {
        self.abilities = abilities
    }

    /// 256-colour entries, by class: the seven colours of Okabe and Ito's palette for colour
    /// vision deficiencies (orange, sky blue, bluish green, yellow, blue, vermillion, reddish
    /// purple; their black made light grey for dark backgrounds), then pear and brown, then
    /// white. Every one is light enough to read on a black background.
    static let colors256 = [214, 74, 36, 227, 32, 166, 175, 250, 149, 137, 231]

    /// The basic colours of an 8-colour terminal, by class (red, green, yellow, blue, magenta,
    /// cyan, white); they repeat after seven, so the glyph tells classes apart there.
    static let colors8 = [1, 2, 3, 4, 5, 6, 7]

    /// Glyphs by class: digits, then letters; they repeat after 62.
    static let glyphs = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars)

    /// Whether colour alone tells the classes apart: 256 colours and colour allowed. Otherwise
    /// the map draws each class's glyph.
    public var colorsSuffice: Bool { abilities.usesColor && abilities.colors >= 256 }

    /// The colour of class `label`.
    public func color(_ label: Int) -> TerminalColor {
        guard abilities.usesColor else { return .terminalDefault }
        let palette = abilities.colors >= 256 ? ClassPalette.colors256 : ClassPalette.colors8
        return .palette(palette[label % palette.count])
    }

    /// The glyph of class `label`.
    public func glyph(_ label: Int) -> Unicode.Scalar {
        ClassPalette.glyphs[label % ClassPalette.glyphs.count]
    }
}
