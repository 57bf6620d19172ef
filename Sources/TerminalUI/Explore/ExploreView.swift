import VAECore

/// Draws the explore view: the latent map with the cursor, the decoded image, and a legend.
public struct ExploreView {
    public var abilities: TerminalAbilities

    public init(abilities: TerminalAbilities) {
        self.abilities = abilities
    }

    /// Smallest terminal the view fits in.
    public static let minimumSize = (columns: 60, rows: 20)

    /// Points in one map cell from which it counts as dense (drawn bold).
    static let denseCell = 6

    /// Distinct label colours of the 256-colour palette, by label.
    static let labelColors = [196, 214, 226, 46, 51, 33, 129, 201, 250, 130]

    func labelColor(_ label: Int) -> TerminalColor {
        abilities.usesColor ? .palette(ExploreView.labelColors[label % ExploreView.labelColors.count]) : .terminalDefault
    }

    /// Fills `grid` (the whole body above the status bar) for `state`.
    public func draw(_ state: ExploreState, into grid: inout Grid, top: Int, rows: Int) {
        let imageColumns = min(58, max(30, grid.width / 2))
        let mapColumns = grid.width - imageColumns - 1
        drawMap(state, into: &grid, x: 0, y: top, columns: mapColumns, rows: rows)
        drawImagePanel(state, into: &grid, x: mapColumns + 1, y: top, columns: imageColumns, rows: rows)
    }

    /// The map: each encoded image a dot at its posterior mean, coloured by its label (the
    /// commonest label where dots share a cell), bold where points pile up, and the cursor.
    func drawMap(_ state: ExploreState, into grid: inout Grid, x: Int, y: Int, columns: Int, rows: Int) {
        let names = state.axisNames
        let axesLabel = abilities.unicode
            ? "\(names.x) → , \(names.y) ↑   ±\(formatted(state.radius))"
            : "x: \(names.x)  y: \(names.y)  range +-\(formatted(state.radius))"
        grid.put(axesLabel, x: x + 1, y: y, style: .dim, maxWidth: columns - 1)
        let plotTop = y + 1, plotRows = rows - 1
        if state.showsManifold {
            drawManifold(state, into: &grid, x: x, y: plotTop, columns: columns, rows: plotRows)
            return
        }
        let glyphs = abilities.plotGlyphs
        let (across, down) = glyphs == .braille ? (2, 4) : (1, 1)
        // Square latent units: a dot is as wide as it is tall when braille (2x4 in a 1:2 cell).
        let dotsWide = columns * across, dotsHigh = plotRows * down
        let unit = min(Float(dotsWide), Float(dotsHigh) * (glyphs == .braille ? 1 : 2)) / (2 * state.radius)
        let dotsPerRow = glyphs == .braille ? unit : unit / 2
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 10), count: columns * plotRows)
        var bits = [UInt32](repeating: 0, count: columns * plotRows)
        let centreX = Float(dotsWide) / 2, centreY = Float(dotsHigh) / 2
        for i in 0..<state.data.count {
            let p = state.point(i)
            let dx = Int((centreX + p.x * unit).rounded(.down)), dy = Int((centreY - p.y * dotsPerRow).rounded(.down))
            guard dx >= 0, dy >= 0, dx < dotsWide, dy < dotsHigh else { continue }
            let cell = (dy / down) * columns + dx / across
            if glyphs == .braille { bits[cell] |= ImageRenderer.brailleBits[(dy % 4) * 2 + dx % 2] }
            counts[cell][(state.data.labels?[i] ?? 0) % 10] += 1
        }
        for row in 0..<plotRows {
            for column in 0..<columns {
                let cell = row * columns + column
                let total = counts[cell].reduce(0, +)
                guard total > 0 else { continue }
                let label = counts[cell].indices.max { counts[cell][$0] < counts[cell][$1] }!
                let glyph: Unicode.Scalar = glyphs == .braille ? Unicode.Scalar(0x2800 + bits[cell])!
                    : total > 4 ? "#" : total > 1 ? "+" : "."
                // Density: cells where points pile up are bold, lone points dim.
                let style: CellStyle = total >= ExploreView.denseCell ? .bold : total == 1 ? .dim : []
                grid[x + column, plotTop + row] = Cell(glyph, foreground: labelColor(label), style: style)
            }
        }
        let cursor = state.cursorPosition
        let cx = x + Int((centreX + cursor.x * unit) / Float(across))
        let cy = plotTop + Int((centreY - cursor.y * dotsPerRow) / Float(down))
        grid[min(x + columns - 1, max(x, cx)), min(plotTop + plotRows - 1, max(plotTop, cy))] =
            Cell(abilities.unicode ? "✚" : "+", style: [.bold, .reverse])
    }

    /// The manifold grid: decoded images tiled over the map's square, the cursor on top.
    func drawManifold(_ state: ExploreState, into grid: inout Grid, x: Int, y: Int, columns: Int, rows: Int) {
        // Tiles of at least 10x5 cells (10x10 pixels in half-blocks), as many as fit.
        let side = max(2, min(columns / 10, rows / 5))
        let tileColumns = columns / side, tileRows = rows / side
        let renderer = ImageRenderer(mode: abilities.imageGlyphs, color: abilities.usesColor)
        let shape = state.data.shape
        for (i, image) in state.manifold(side: side).enumerated() {
            renderer.draw(image, width: shape.width, height: shape.height, into: &grid,
                          x: x + (i % side) * tileColumns, y: y + (i / side) * tileRows, columns: tileColumns, rows: tileRows)
        }
        let cursor = state.cursorPosition
        let fx = (cursor.x + state.radius) / (2 * state.radius)
        let fy = (state.radius - cursor.y) / (2 * state.radius)
        let cx = x + min(side * tileColumns - 1, Int(fx * Float(side * tileColumns)))
        let cy = y + min(side * tileRows - 1, Int(fy * Float(side * tileRows)))
        grid[cx, cy] = Cell(abilities.unicode ? "✚" : "+", style: [.bold, .reverse])
    }

    /// The decoded image, large, with the cursor's coordinates, the nearest image when the
    /// cursor sits on one, and the legend.
    func drawImagePanel(_ state: ExploreState, into grid: inout Grid, x: Int, y: Int, columns: Int, rows: Int) {
        let side = state.data.shape
        let coordinates = state.cursor.map { formatted($0) }.prefix(4).joined(separator: ", ")
        let more = state.cursor.count > 4 ? (abilities.unicode ? ", …" : ", ...") : ""
        grid.put("z = (\(coordinates)\(more))", x: x, y: y, maxWidth: columns)
        let legendRows = min(state.data.classNames.count, 10)
        let imageRows = max(4, rows - legendRows - 3)
        let renderer = ImageRenderer(mode: abilities.imageGlyphs, color: abilities.usesColor)
        if let nearest = state.nearest {
            let half = (columns - 1) / 2
            renderer.draw(Array(state.data.image(nearest)), width: side.width, height: side.height, into: &grid,
                          x: x, y: y + 1, columns: half, rows: imageRows)
            renderer.draw(state.decoded, width: side.width, height: side.height, into: &grid,
                          x: x + half + 1, y: y + 1, columns: half, rows: imageRows)
            let name = state.data.className(of: nearest) ?? "unlabelled"
            grid.put("#\(nearest) \(name): original | reconstruction", x: x, y: y + 1 + imageRows, maxWidth: columns)
        } else {
            renderer.draw(state.decoded, width: side.width, height: side.height, into: &grid,
                          x: x, y: y + 1, columns: columns, rows: imageRows)
            grid.put("decoded at the cursor, step \(formatted(state.step))", x: x, y: y + 1 + imageRows,
                     style: .dim, maxWidth: columns)
        }
        for label in 0..<legendRows {
            let row = y + imageRows + 3 + label
            grid[x, row] = Cell(abilities.unicode ? "■" : "#", foreground: labelColor(label))
            grid.put(state.data.classNames[label], x: x + 2, y: row, maxWidth: columns - 2)
        }
    }

    func formatted(_ value: Float) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
