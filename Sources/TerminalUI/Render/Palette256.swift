/// The 240 fixed colours of a 256-colour terminal (16-231, the 6x6x6 cube, and 232-255, the
/// grey ramp; 0-15 follow the user's theme and are never used for images), and the mapping of
/// any sRGB colour to one of them: the nearest in OKLab, after an ordered (Bayer 4x4) dither
/// that keeps gradients from banding and, fixed per screen position, stays still when the image
/// changes a little (error diffusion would move about half the cells).
public enum Palette256 {
    /// The cube's channel levels (xterm's 256colres).
    static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// sRGB (0-255) of palette index `index` in 16...255.
    public static func rgb(_ index: Int) -> (r: Int, g: Int, b: Int) {
        precondition((16...255).contains(index), "palette index \(index) is not a fixed colour")
        if index >= 232 {
            let v = greyLevels[index - 232]
            return (v, v, v)
        }
        let i = index - 16
        return (cubeLevels[i / 36], cubeLevels[i / 6 % 6], cubeLevels[i % 6])
    }

    private static let entries: [OKLab] = (16...255).map { index in
        let c = rgb(index)
        return OKLab(red: Float(c.r) / 255, green: Float(c.g) / 255, blue: Float(c.b) / 255)
    }

    /// Bits kept of each channel in the lookup table.
    private static let tableBits = 6

    /// The nearest palette index for every colour of 6 bits a channel, made on first use. The
    /// search for each looks at the 8 cube colours around it and the 2 greys around its mean.
    private static let table: [UInt8] = {
        let side = 1 << tableBits
        let scale = Float(side - 1)
        var table = [UInt8](repeating: 0, count: side * side * side)
        func bracket(_ value: Int, _ levels: [Int]) -> [Int] {
            let upper = levels.firstIndex { $0 >= value } ?? levels.count - 1
            return upper == 0 ? [0] : [upper - 1, upper]
        }
        for r in 0..<side {
            for g in 0..<side {
                for b in 0..<side {
                    let bytes = [r, g, b].map { Int((Float($0) / scale * 255).rounded()) }
                    let colour = OKLab(red: Float(bytes[0]) / 255, green: Float(bytes[1]) / 255, blue: Float(bytes[2]) / 255)
                    var candidates: [Int] = []
                    for i in bracket(bytes[0], cubeLevels) {
                        for j in bracket(bytes[1], cubeLevels) {
                            for k in bracket(bytes[2], cubeLevels) { candidates.append(16 + 36 * i + 6 * j + k) }
                        }
                    }
                    let mean = (bytes[0] + bytes[1] + bytes[2]) / 3
                    candidates += bracket(mean, greyLevels).map { 232 + $0 }
                    let best = candidates.min { colour.distance(to: entries[$0 - 16]) < colour.distance(to: entries[$1 - 16]) }!
                    table[(r * side + g) * side + b] = UInt8(best)
                }
            }
        }
        return table
    }()

    /// The grey ramp's levels, 232 to 255: `GrayRamp`'s greys between black and white.
    static let greyLevels = Array(GrayRamp.intensities[1...24])

    /// The palette index nearest to sRGB `(r, g, b)` (0-255 each), without dithering.
    public static func nearest(_ r: Int, _ g: Int, _ b: Int) -> Int {
        let side = 1 << tableBits
        func cell(_ v: Int) -> Int { (min(max(v, 0), 255) * (side - 1) + 127) / 255 }
        return Int(table[(cell(r) * side + cell(g)) * side + cell(b)])
    }

    /// The 4x4 Bayer matrix, thresholds 0-15.
    static let bayer: [Int] = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5]

    /// Half the spread of the dither, in 8-bit channel units: about half the cube's steps.
    static let ditherAmplitude = 20

    /// The palette index for sRGB `(r, g, b)` shown at pixel position (x, y) of the screen (a
    /// cell's column, and twice its row plus one for the lower half of a half-block).
    public static func index(_ r: Int, _ g: Int, _ b: Int, x: Int, y: Int) -> Int {
        let threshold = bayer[(y & 3) * 4 + (x & 3)]
        let offset = (2 * threshold + 1 - 16) * ditherAmplitude / 16
        return nearest(r + offset, g + offset, b + offset)
    }
}
