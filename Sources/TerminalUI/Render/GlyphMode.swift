/// How grayscale pixels become character cells.
public enum GlyphMode: String, CaseIterable, Sendable {
    /// `▀` with the upper pixel as foreground and the lower as background: two square pixels
    /// per cell, exact on 256-colour terminals. The best choice for images.
    case half
    /// 2x2 blocks (`▘▝▀▖▌▞▛▗▚▐▜▄▙▟█`), two greys per cell chosen to fit the four pixels.
    case quadrant
    /// 2x4 braille dots, one grey per cell: fine detail, best for maps and charts.
    case braille
    /// The density ramp ` .:-=+*#%@`: any terminal, no colour or Unicode needed.
    case ascii

    /// Sub-pixels per cell, across and down.
    public var subpixels: (across: Int, down: Int) {
        switch self {
        case .half: return (1, 2)
        case .quadrant: return (2, 2)
        case .braille: return (2, 4)
        case .ascii: return (1, 1)
        }
    }
}

/// What the terminal can show, as far as rendering cares.
public struct TerminalAbilities: Equatable, Sendable {
    /// The locale's character set is UTF-8.
    public var unicode: Bool
    /// Colours the terminal has (0 for none).
    public var colors: Int
    /// The user asked for no colour (`NO_COLOR` non-empty, or `--no-color`).
    public var noColor: Bool
    /// The glyph mode the user chose for images (`--glyphs`), over the automatic one.
    public var chosenImageGlyphs: GlyphMode?
    /// Colour images are shown in 24-bit colour (else with the 256-colour palette).
    public var directColor: Bool

    public init(unicode: Bool, colors: Int, noColor: Bool, chosenImageGlyphs: GlyphMode? = nil, directColor: Bool = false) {
        self.unicode = unicode
        self.colors = colors
        self.noColor = noColor
        self.chosenImageGlyphs = chosenImageGlyphs
        self.directColor = directColor
    }

    /// Whether colours may be used at all.
    public var usesColor: Bool { colors >= 8 && !noColor }

    /// The glyph mode for images: the user's choice, else the best the terminal shows:
    /// half-blocks with 256 colours and Unicode, else the ASCII ramp (the only mode that shows
    /// shades without colour). Sextants and octants are never chosen: fonts lack them and
    /// glibc gives octants no width.
    public var imageGlyphs: GlyphMode {
        chosenImageGlyphs ?? (unicode && usesColor && colors >= 256 ? .half : .ascii)
    }

    /// The best glyph mode for the latent map and charts: braille when Unicode is there.
    public var plotGlyphs: GlyphMode {
        unicode ? .braille : .ascii
    }
}
