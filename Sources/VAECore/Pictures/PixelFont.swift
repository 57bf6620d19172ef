/// A 3x5 pixel font for the labels of plots: digits, `.`, `-`, and the letters plots use.
enum PixelFont {
    /// Rows top to bottom, three bits each (left bit first).
    static let glyphs: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
        "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1],
        "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7], ".": [0, 0, 0, 0, 2], "-": [0, 0, 7, 0, 0],
        " ": [0, 0, 0, 0, 0], "/": [1, 1, 2, 4, 4], "(": [1, 2, 2, 2, 1], ")": [4, 2, 2, 2, 4],
        "a": [0, 3, 5, 5, 3], "b": [4, 6, 5, 5, 6], "c": [0, 3, 4, 4, 3], "d": [1, 3, 5, 5, 3],
        "e": [0, 2, 7, 4, 3], "g": [0, 3, 5, 3, 6], "h": [4, 4, 7, 5, 5], "i": [2, 0, 2, 2, 2],
        "k": [4, 5, 6, 5, 5], "l": [6, 2, 2, 2, 7], "m": [0, 7, 7, 5, 5], "n": [0, 6, 5, 5, 5],
        "o": [0, 2, 5, 5, 2], "p": [0, 6, 5, 6, 4], "q": [0, 3, 5, 3, 1], "r": [0, 5, 6, 4, 4], "s": [0, 3, 6, 3, 6],
        "t": [2, 7, 2, 2, 3], "u": [0, 5, 5, 5, 3], "w": [0, 5, 5, 7, 7], "x": [0, 5, 2, 2, 5],
        "y": [0, 5, 5, 3, 6], "E": [7, 4, 6, 4, 7], "K": [5, 5, 6, 5, 5], "L": [4, 4, 4, 4, 7],
        "B": [6, 5, 6, 5, 6], "O": [7, 5, 5, 5, 7],
    ]

    /// Width in pixels of `text` at `scale` (3 pixels and a gap per character).
    static func width(_ text: String, scale: Int) -> Int { text.count * 4 * scale }

    /// Draws `text` with its top-left corner at (x, y) into a row-major image.
    static func draw(_ text: String, x: Int, y: Int, scale: Int, value: Float,
                     into pixels: inout [Float], width: Int, height: Int) {
        for (i, character) in text.enumerated() {
            guard let rows = glyphs[character] ?? glyphs[Character(character.lowercased())] else { continue }
            for (row, bits) in rows.enumerated() {
                for column in 0..<3 where bits & (4 >> column) != 0 {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let px = x + (i * 4 + column) * scale + dx, py = y + row * scale + dy
                            if px >= 0, py >= 0, px < width, py < height { pixels[py * width + px] = value }
                        }
                    }
                }
            }
        }
    }
}
