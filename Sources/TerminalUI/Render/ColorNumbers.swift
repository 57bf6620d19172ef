import VAECore

/// The numbers curses is given for the colours of cells on a terminal with `abilities`: palette
/// indices, or RGB values (`0xRRGGBB`) on a direct-colour terminal, where palette and grey
/// colours are sent as their RGB values too.
public struct ColorNumbers: Sendable {
    public var abilities: TerminalAbilities

    public init(abilities: TerminalAbilities) {
        self.abilities = abilities
    }

    /// The colour number for `color`, -1 for the terminal's default; (x, y) is the pixel's
    /// place on the screen (a cell's column, and twice its row plus one for a half-block's
    /// lower pixel), which the 256-colour dither depends on.
    public func number(_ color: TerminalColor, x: Int, y: Int) -> Int32 {
        guard abilities.usesColor else { return -1 }
        let direct = abilities.colors >= 1 << 24
        func rgb(_ c: (r: Int, g: Int, b: Int)) -> Int32 {
            // Values below 8 would be read as the themed colours 0-7.
            max(8, Int32(c.r) << 16 | Int32(c.g) << 8 | Int32(c.b))
        }
        switch color {
        case .terminalDefault:
            return -1
        case .rgb(let r, let g, let b):
            if abilities.directColor { return rgb((Int(r), Int(g), Int(b))) }
            if abilities.colors >= 256 {
                let index = Palette256.index(Int(r), Int(g), Int(b), x: x, y: y)
                return direct ? rgb(Palette256.rgb(index)) : Int32(index)
            }
            let luma = Picture.luminance(red: Float(r) / 255, green: Float(g) / 255, blue: Float(b) / 255)
            return number(.gray(GrayRamp.level(luma)), x: x, y: y)
        case .gray(let level):
            if direct {
                let v = GrayRamp.intensities[level]
                return rgb((v, v, v))
            }
            if abilities.colors >= 256 { return Int32(GrayRamp.paletteIndices[level]) }
            // 16 colours: black, bright black, white, bright white; 8: black and white.
            if abilities.colors >= 16 { return [0, 8, 7, 15][min(3, level * 4 / GrayRamp.levels)] }
            return level < GrayRamp.levels / 2 ? 0 : 7
        case .palette(let index):
            if direct && index >= 16 { return rgb(Palette256.rgb(min(255, index))) }
            return Int32(index < abilities.colors ? index : 1 + index % 7)
        }
    }
}
