/// The 26 exact greys of a 256-colour terminal, darkest first: palette 16 (black), the ramp
/// 232-255 (8, 18, ..., 238) and 231 (white). None of them is a user-themed colour.
public enum GrayRamp {
    /// Palette indices, by level.
    public static let paletteIndices: [Int] = [16] + Array(232...255) + [231]
    /// Intensity 0-255 of each level.
    public static let intensities: [Int] = [0] + (0..<24).map { 8 + 10 * $0 } + [255]
    /// Number of levels.
    public static let levels = 26

    /// A 256-entry table from an 8-bit intensity to the nearest level.
    private static let nearest: [UInt8] = (0...255).map { value in
        UInt8(intensities.indices.min { abs(intensities[$0] - value) < abs(intensities[$1] - value) }!)
    }

    /// The level nearest to `value` in [0, 1] (values outside are clamped).
    @inline(__always)
    public static func level(_ value: Float) -> Int {
        let clamped = value.isNaN ? 0 : min(max(value, 0), 1)
        return Int(nearest[Int((clamped * 255).rounded())])
    }
}
