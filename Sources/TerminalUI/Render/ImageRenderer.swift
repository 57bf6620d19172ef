import VAECore

/// Draws grayscale images into character cells, scaled to fit a panel with their aspect kept.
///
/// A cell is taken as twice as tall as it is wide. The image is resampled by area averaging
/// to the mode's sub-pixel grid (exact replication for integer enlargements), then each cell's
/// sub-pixels become one glyph and its colours (see `GlyphMode`).
public struct ImageRenderer: Sendable {
    public var mode: GlyphMode
    /// When false, no colours are set: half and quadrant cells fall back to shade or block
    /// shapes, braille to plain dots.
    public var color: Bool

    public init(mode: GlyphMode, color: Bool) {
        self.mode = mode
        self.color = color
    }

    /// The cells an image of `width` x `height` pixels takes when fitted into `columns` x `rows`.
    public func fittedSize(width: Int, height: Int, columns: Int, rows: Int) -> (columns: Int, rows: Int) {
        guard width > 0, height > 0, columns > 0, rows > 0 else { return (0, 0) }
        // Side of one image pixel in cell widths (a cell is 1 wide, 2 tall).
        let pixel = min(Double(columns) / Double(width), 2 * Double(rows) / Double(height))
        return (max(1, Int((Double(width) * pixel).rounded(.down))),
                max(1, Int((Double(height) * pixel / 2).rounded(.down))))
    }

    /// Draws `pixels` (values in [0, 1], 0 = black; one row-major plane per channel, as
    /// PyTorch lays out an image: gray, or red, green, blue) centred in the rectangle. Colour
    /// images are drawn in colour with half-blocks on a colour terminal, else by their luminance.
    /// Returns the rectangle the image took.
    @discardableResult
    public func draw(_ pixels: [Float], width: Int, height: Int, channels: Int = 1, into grid: inout Grid,
                     x: Int, y: Int, columns: Int, rows: Int) -> (x: Int, y: Int, columns: Int, rows: Int) {
        precondition(channels == 1 || channels == 3, "images have 1 or 3 channels, not \(channels)")
        precondition(pixels.count == width * height * channels,
                     "image has \(pixels.count) values, expected \(channels)x\(width)x\(height)")
        let size = fittedSize(width: width, height: height, columns: columns, rows: rows)
        guard size.columns > 0 else { return (x, y, 0, 0) }
        let (across, down) = mode.subpixels
        let (sampledWidth, sampledHeight) = (size.columns * across, size.rows * down)
        let plane = width * height
        let planes = (0..<channels).map { channel in
            ImageResampling.areaAverage(Array(pixels[(channel * plane)..<((channel + 1) * plane)]), width: width, height: height,
                                        toWidth: sampledWidth, toHeight: sampledHeight)
        }
        let inColour = channels == 3 && color && mode == .half
        let sampled = channels == 1 || inColour ? planes[0]
            : (0..<planes[0].count).map { Picture.luminance(red: planes[0][$0], green: planes[1][$0], blue: planes[2][$0]) }
        let left = x + (columns - size.columns) / 2, top = y + (rows - size.rows) / 2
        let stride = sampledWidth
        var block = [Float](repeating: 0, count: across * down)
        for row in 0..<size.rows {
            for column in 0..<size.columns {
                if inColour {
                    let (upper, lower) = ((2 * row) * stride + column, (2 * row + 1) * stride + column)
                    grid[left + column, top + row] = ImageRenderer.halfCell(ImageRenderer.rgb(planes, upper), ImageRenderer.rgb(planes, lower))
                    continue
                }
                for dy in 0..<down {
                    for dx in 0..<across {
                        block[dy * across + dx] = sampled[(row * down + dy) * stride + column * across + dx]
                    }
                }
                grid[left + column, top + row] = cell(for: block)
            }
        }
        return (left, top, size.columns, size.rows)
    }

    /// Draws an image of `shape` (see the other `draw`).
    @discardableResult
    public func draw(_ pixels: [Float], shape: ImageShape, into grid: inout Grid,
                     x: Int, y: Int, columns: Int, rows: Int) -> (x: Int, y: Int, columns: Int, rows: Int) {
        draw(pixels, width: shape.width, height: shape.height, channels: shape.channels, into: &grid,
             x: x, y: y, columns: columns, rows: rows)
    }

    /// The sRGB colour of sample `index` of three planes.
    static func rgb(_ planes: [[Float]], _ index: Int) -> TerminalColor {
        func byte(_ value: Float) -> UInt8 { UInt8((min(max(value.isNaN ? 0 : value, 0), 1) * 255).rounded()) }
        return .rgb(byte(planes[0][index]), byte(planes[1][index]), byte(planes[2][index]))
    }

    /// A half-block: the upper pixel's colour in front, the lower's behind.
    static func halfCell(_ upper: TerminalColor, _ lower: TerminalColor) -> Cell {
        upper == lower ? Cell(" ", background: lower) : Cell("▀", foreground: upper, background: lower)
    }

    /// The cell for one block of sub-pixels (row-major, `mode.subpixels` in size).
    func cell(for block: [Float]) -> Cell {
        switch mode {
        case .half:
            let (upper, lower) = (GrayRamp.level(block[0]), GrayRamp.level(block[1]))
            guard color else { return Cell(ImageRenderer.shade((block[0] + block[1]) / 2)) }
            return upper == lower
                ? Cell(" ", background: .gray(upper))
                : Cell("▀", foreground: .gray(upper), background: .gray(lower))
        case .quadrant:
            return quadrantCell(block)
        case .braille:
            var bits: UInt32 = 0
            var ink: Float = 0, count: Float = 0
            for (i, value) in block.enumerated() where value >= 0.5 {
                bits |= ImageRenderer.brailleBits[i]
                ink += value
                count += 1
            }
            let glyph = Unicode.Scalar(0x2800 + bits)!
            return color && count > 0 ? Cell(glyph, foreground: .gray(GrayRamp.level(ink / count))) : Cell(glyph)
        case .ascii:
            return Cell(ImageRenderer.ramp(block[0]))
        }
    }

    /// Quadrant glyphs by mask: bit 0 upper left, 1 upper right, 2 lower left, 3 lower right.
    static let quadrantGlyphs: [Unicode.Scalar] = [" ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█"]

    /// The two-grey split of a 2x2 block with the least squared error (every mask is tried).
    private func quadrantCell(_ block: [Float]) -> Cell {
        guard color else {
            let mask = block.indices.reduce(0) { $0 | (block[$1] >= 0.5 ? 1 << $1 : 0) }
            return Cell(ImageRenderer.quadrantGlyphs[mask])
        }
        var best = (mask: 15, error: Float.infinity, ink: Float(0), paper: Float(0))
        // Masks 8-15 hold the lower-right pixel as ink; their complements cover 0-7.
        for mask in 8..<16 {
            var ink: Float = 0, paper: Float = 0, inkCount: Float = 0
            for i in 0..<4 {
                if mask & (1 << i) != 0 { ink += block[i]; inkCount += 1 } else { paper += block[i] }
            }
            ink /= inkCount
            paper = inkCount < 4 ? paper / (4 - inkCount) : ink
            var error: Float = 0
            for i in 0..<4 {
                let target = mask & (1 << i) != 0 ? ink : paper
                error += (block[i] - target) * (block[i] - target)
            }
            if error < best.error { best = (mask, error, ink, paper) }
        }
        let (inkLevel, paperLevel) = (GrayRamp.level(best.ink), GrayRamp.level(best.paper))
        if inkLevel == paperLevel { return Cell(" ", background: .gray(inkLevel)) }
        return Cell(ImageRenderer.quadrantGlyphs[best.mask], foreground: .gray(inkLevel), background: .gray(paperLevel))
    }

    /// Braille dot bits for a 2x4 block in row-major order (dots 1 4 / 2 5 / 3 6 / 7 8).
    static let brailleBits: [UInt32] = [0x01, 0x08, 0x02, 0x10, 0x04, 0x20, 0x40, 0x80]

    /// The density ramp, dark to light for a dark background.
    static let asciiRamp = Array(" .:-=+*#%@".unicodeScalars)

    static func ramp(_ value: Float) -> Unicode.Scalar {
        let clamped = min(max(value.isNaN ? 0 : value, 0), 1)
        return asciiRamp[min(asciiRamp.count - 1, Int(clamped * Float(asciiRamp.count)))]
    }

    /// Shade blocks for monochrome half cells.
    static let shades: [Unicode.Scalar] = [" ", "░", "▒", "▓", "█"]

    static func shade(_ value: Float) -> Unicode.Scalar {
        let clamped = min(max(value.isNaN ? 0 : value, 0), 1)
        return shades[min(shades.count - 1, Int(clamped * Float(shades.count)))]
    }
}
