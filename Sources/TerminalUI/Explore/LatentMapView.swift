import VAECore

/// Draws the latent map: each encoded image a dot at its posterior mean, told apart by class,
/// the cursor with guides along its row and column, the interpolation's ends, and the legend.
public struct LatentMapView {
    public var abilities: TerminalAbilities
    public var palette: ClassPalette { ClassPalette(abilities: abilities) }

    public init(abilities: TerminalAbilities) {
        self.abilities = abilities
    }

    /// Points in one map cell from which it counts as dense (drawn bold).
    static let denseCell = 6

    /// Draws the map of `state` in the rectangle: the axes' label on its first row, the plot
    /// below, and with `legend` the classes under the plot. Returns where the square went.
    @discardableResult
    public func draw(_ state: ExploreState, into grid: inout Grid, x: Int, y: Int, columns: Int, rows: Int,
                     legend: Bool = false) -> MapLayout {
        let names = state.axisNames, radius = ExploreView.formatted(state.radius)
        let label = PriorityLine([.init("x: \(names.x)  y: \(names.y)", priority: 2),
                                  .init("-\(radius) to \(radius)", priority: 1)])
        grid.put(label.text(width: columns - 1), x: x + 1, y: y, style: .dim, maxWidth: columns - 1)
        var plotRows = rows - 1
        if legend {
            let legendRows = min(legendSize(state.data.classNames, columns: columns), max(0, plotRows - 6))
            plotRows -= legendRows
            drawLegend(state.data.classNames, into: &grid, x: x, y: y + 1 + plotRows, columns: columns, rows: legendRows)
        }
        if state.showsManifold {
            return drawManifold(state, into: &grid, x: x, y: y + 1, columns: columns, rows: plotRows)
        }
        return drawPoints(state, into: &grid, x: x, y: y + 1, columns: columns, rows: plotRows)
    }

    /// The encoded images as dots (braille, coloured by class) or, where colours cannot tell
    /// the classes apart, as each cell's commonest class's glyph. Unlabelled colour images are
    /// coloured by their own mean colour, so the map shows how the model lays out hue and
    /// brightness.
    func drawPoints(_ state: ExploreState, into grid: inout Grid, x: Int, y: Int, columns: Int, rows: Int) -> MapLayout {
        let labelled = state.data.labels != nil && state.data.classNames.count > 1
        let classGlyphs = labelled && !palette.colorsSuffice
        let braille = abilities.plotGlyphs == .braille && !classGlyphs
        let (across, down) = braille ? (2, 4) : (1, 1)
        // Square latent units: a cell is twice as tall as wide, a braille dot as tall as wide.
        let dotsWide = columns * across, dotsHigh = rows * down
        let unit = min(Float(dotsWide), Float(dotsHigh) * (braille ? 1 : 2)) / (2 * state.radius)
        let dotsPerRow = braille ? unit : unit / 2
        let layout = MapLayout(left: Float(x) + Float(columns) / 2 - state.radius * unit / Float(across),
                               top: Float(y) + Float(rows) / 2 - state.radius * dotsPerRow / Float(down),
                               width: 2 * state.radius * unit / Float(across),
                               height: 2 * state.radius * dotsPerRow / Float(down),
                               radius: state.radius, bounds: (x, y, columns, rows))
        let classes = max(1, min(ClassPalette.glyphs.count, state.data.classNames.count))
        var counts = [Int](repeating: 0, count: columns * rows * classes)
        var bits = [UInt32](repeating: 0, count: columns * rows)
        let meanColours = !labelled && state.data.shape.channels == 3 && abilities.usesColor
        var colourSums = [Float](repeating: 0, count: meanColours ? 3 * columns * rows : 0)
        let imageColours = meanColours ? state.meanColours : []
        let centreX = Float(dotsWide) / 2, centreY = Float(dotsHigh) / 2
        for i in 0..<state.data.count {
            let p = state.point(i)
            let dx = Int((centreX + p.x * unit).rounded(.down)), dy = Int((centreY - p.y * dotsPerRow).rounded(.down))
            guard dx >= 0, dy >= 0, dx < dotsWide, dy < dotsHigh else { continue }
            let cell = (dy / down) * columns + dx / across
            if braille { bits[cell] |= ImageRenderer.brailleBits[(dy % 4) * 2 + dx % 2] }
            counts[cell * classes + (state.data.labels?[i] ?? 0) % classes] += 1
            if meanColours {
                colourSums[3 * cell] += imageColours[i].red
                colourSums[3 * cell + 1] += imageColours[i].green
                colourSums[3 * cell + 2] += imageColours[i].blue
            }
        }
        for row in 0..<rows {
            for column in 0..<columns {
                let cell = row * columns + column
                let tally = counts[(cell * classes)..<((cell + 1) * classes)]
                let total = tally.reduce(0, +)
                guard total > 0 else { continue }
                let label = tally.indices.max { tally[$0] < tally[$1] }! - cell * classes
                let glyph: Unicode.Scalar = braille ? Unicode.Scalar(0x2800 + bits[cell])!
                    : classGlyphs ? palette.glyph(label) : total > 4 ? "#" : total > 1 ? "+" : "."
                // Density: cells where points pile up are bold, lone points dim.
                let style: CellStyle = total >= LatentMapView.denseCell ? .bold : total == 1 ? .dim : []
                var colour = labelled ? palette.color(label) : .terminalDefault
                if meanColours {
                    func byte(_ sum: Float) -> UInt8 { UInt8(min(max(sum / Float(total), 0), 1) * 255) }
                    colour = .rgb(byte(colourSums[3 * cell]), byte(colourSums[3 * cell + 1]), byte(colourSums[3 * cell + 2]))
                }
                grid[x + column, y + row] = Cell(glyph, foreground: colour, style: style)
            }
        }
        drawMarks(state, layout: layout, into: &grid, guides: true)
        return layout
    }

    /// The manifold grid: decoded images tiled over the map's square, the cursor on top.
    func drawManifold(_ state: ExploreState, into grid: inout Grid, x: Int, y: Int, columns: Int, rows: Int) -> MapLayout {
        // Tiles of at least 10x5 cells (10x10 pixels in half-blocks), as many as fit.
        let side = max(2, min(columns / 10, rows / 5))
        let tileColumns = columns / side, tileRows = rows / side
        let renderer = ImageRenderer(mode: abilities.imageGlyphs, color: abilities.usesColor)
        let shape = state.data.shape
        for (i, image) in state.manifold(side: side).enumerated() {
            renderer.draw(image, shape: shape, into: &grid,
                          x: x + (i % side) * tileColumns, y: y + (i / side) * tileRows, columns: tileColumns, rows: tileRows)
        }
        let layout = MapLayout(left: Float(x), top: Float(y), width: Float(side * tileColumns), height: Float(side * tileRows),
                               radius: state.radius, bounds: (x, y, side * tileColumns, side * tileRows))
        drawMarks(state, layout: layout, into: &grid, guides: false)
        return layout
    }

    /// The ends marked with a and b, and the cursor: a `+` in black on white (reverse without
    /// colour), which no class colour matches, with dim guides along its row and column.
    func drawMarks(_ state: ExploreState, layout: MapLayout, into grid: inout Grid, guides: Bool) {
        let cursor = layout.cell(of: state.cursorPosition)
        let bounds = layout.bounds
        if guides {
            let braille = abilities.plotGlyphs == .braille
            let (across, along): (Unicode.Scalar, Unicode.Scalar) = braille ? ("\u{2812}", "\u{2847}") : ("-", "|")
            for column in bounds.x..<(bounds.x + bounds.columns) where grid[column, cursor.y].glyph == " " {
                grid[column, cursor.y] = Cell(across, style: .dim)
            }
            for row in bounds.y..<(bounds.y + bounds.rows) where grid[cursor.x, row].glyph == " " {
                grid[cursor.x, row] = Cell(along, style: .dim)
            }
        }
        for (name, index) in [("a", state.endpoints.a), ("b", state.endpoints.b)] {
            guard let index, index < state.data.count else { continue }
            let cell = layout.cell(of: state.point(index))
            grid[cell.x, cell.y] = marker(Unicode.Scalar(name)!)
        }
        grid[cursor.x, cursor.y] = marker("+")
    }

    /// A cell that stands out on any class colour and on the terminal's own colours.
    private func marker(_ glyph: Unicode.Scalar) -> Cell {
        guard abilities.usesColor else { return Cell(glyph, style: [.bold, .reverse]) }
        let (black, white) = abilities.colors >= 256 ? (16, 231) : (0, 7)
        return Cell(glyph, foreground: .palette(black), background: .palette(white), style: .bold)
    }

    /// Rows the legend of `names` takes in `columns`, all entries shown.
    func legendSize(_ names: [String], columns: Int) -> Int {
        guard names.count > 1 else { return 0 }
        let perRow = legendColumns(names, columns: columns)
        return (names.count + perRow - 1) / perRow
    }

    private func legendEntryWidth(_ names: [String]) -> Int { (names.map(\.count).max() ?? 0) + 2 }

    private func legendColumns(_ names: [String], columns: Int) -> Int {
        max(1, (columns + 2) / (legendEntryWidth(names) + 2))
    }

    /// The classes, each as its glyph in its colour and its name, in as many columns as fit;
    /// when they do not all fit in `rows`, the last shown entry says how many more there are.
    func drawLegend(_ names: [String], into grid: inout Grid, x: Int, y: Int, columns: Int, rows: Int) {
        guard names.count > 1, rows > 0 else { return }
        let perRow = legendColumns(names, columns: columns)
        let entryWidth = min(columns, legendEntryWidth(names))
        let shown = min(names.count, perRow * rows)
        for i in 0..<shown {
            let (column, row) = (x + (i % perRow) * (entryWidth + 2), y + i / perRow)
            if i == shown - 1 && shown < names.count {
                grid.put("+\(names.count - shown + 1) more", x: column, y: row, style: .dim, maxWidth: entryWidth)
                break
            }
            grid[column, row] = Cell(palette.glyph(i), foreground: palette.color(i), style: .bold)
            grid.put(names[i], x: column + 2, y: row, maxWidth: entryWidth - 2)
        }
    }
}
