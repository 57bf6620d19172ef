import Foundation

/// Line charts in character cells: an upper panel and an optional lower, shorter one stacked
/// over one x axis, each with its own y axis of round ticks (`ChartAxis`) and a legend row with
/// the latest values, and vertical marks (epoch ends, labelled changes) through both.
///
/// Lines are braille dots, 2x4 to a cell, or one `*` to a cell on terminals without Unicode.
/// Without colour, lines are told apart by their panel, their style and the legend, and points
/// by their glyph. On a linear axis the first tenth of the x axis does not set the y range, so
/// that the steep fall of the first steps does not flatten the rest (it runs off the top); the
/// logarithmic axis shows everything. When rows are few, the lower panel becomes a one-row
/// strip, then only entries in the upper legend, and a legend too long for its row drops
/// whole entries, least important first.
public struct LineChart {
    /// One line: its values by x, its colour and its name for the legend.
    public struct Series {
        public var name: String
        public var values: [Double]
        public var color: TerminalColor
        /// A text style that tells the line apart where colours are not shown.
        public var style: CellStyle

        public init(name: String, values: [Double], color: TerminalColor, style: CellStyle = []) {
            self.name = name
            self.values = values
            self.color = color
            self.style = style
        }
    }

    /// Values at a few x positions, each drawn as one glyph: e.g. the test score at each
    /// epoch's end over the training loss by step.
    public struct Points {
        public var name: String
        /// x positions (indices into the series' values) and the values there.
        public var points: [(index: Int, value: Double)]
        public var glyph: Unicode.Scalar
        public var color: TerminalColor

        public init(name: String, points: [(index: Int, value: Double)], glyph: Unicode.Scalar, color: TerminalColor) {
            self.name = name
            self.points = points
            self.glyph = glyph
            self.color = color
        }
    }

    /// Lines and points on one y axis.
    public struct Panel {
        /// Shown in place of tick labels when the panel is drawn as a one-row strip.
        public var name: String
        /// The lines: earlier ones are drawn over later ones and keep their legend entries longer.
        public var series: [Series]
        public var points: [Points]

        public init(name: String, series: [Series], points: [Points] = []) {
            self.name = name
            self.series = series
            self.points = points
        }
    }

    /// The main panel, which gets most of the rows.
    public var upper: Panel
    /// A shorter panel below with an axis of its own, for a term on another scale.
    public var lower: Panel?
    /// Plot log10 of the values in both panels (values <= 0 are left out).
    public var logarithmic = false
    /// x positions (indices into the values) to mark with a dotted vertical line, e.g. epoch ends.
    public var marks: [Int] = []
    /// x positions to mark with a solid line and a label at the top, e.g. where beta changed.
    public var labelledMarks: [(index: Int, label: String)] = []
    /// Draw with braille dots (else with `*` characters, one point per cell).
    public var braille = true

    public init(upper: Panel, lower: Panel? = nil) {
        self.upper = upper
        self.lower = lower
    }

    /// How the rows are shared out: the upper panel's legend row and plot, then the lower panel.
    struct Layout: Equatable {
        /// How the lower panel is drawn.
        enum Lower: Equatable {
            /// A legend row, then `rows` rows of plot with their own ticks.
            case panel(rows: Int)
            /// One row of plot without ticks, named in the label column; its legend entries
            /// join the upper legend.
            case strip
            /// Only its entries in the upper legend.
            case legend
        }

        /// Rows of the upper panel's plot, below its legend row.
        var upperRows: Int
        var lower: Lower?

        /// Eleven rows or more give the lower panel a quarter of them; from five rows a strip
        /// (in braille only: one row of `*` would show nothing); below that, legend entries.
        init(rows: Int, hasLower: Bool, braille: Bool) {
            if !hasLower {
                (upperRows, lower) = (rows - 1, nil)
            } else if rows >= 11 {
                let lowerRows = max(2, (rows - 2) / 4)
                (upperRows, lower) = (rows - 2 - lowerRows, .panel(rows: lowerRows))
            } else if rows >= 5, braille {
                (upperRows, lower) = (rows - 2, .strip)
            } else {
                (upperRows, lower) = (rows - 1, .legend)
            }
        }
    }

    /// One legend entry, kept or dropped whole.
    struct LegendEntry {
        var text: String
        var color: TerminalColor
        var style: CellStyle
        /// Higher stays longer.
        var priority: Int
    }

    /// Draws the chart into the rectangle: tick labels on the left, each panel's legend row
    /// above its plot. Draws nothing in a rectangle under 3 rows or 12 columns, or where the
    /// tick labels leave no room.
    public func draw(into grid: inout Grid, x: Int, y: Int, columns: Int, rows: Int) {
        let layout = Layout(rows: rows, hasLower: lower != nil, braille: braille)
        guard layout.upperRows >= 2, columns >= 12 else { return }
        let down = braille ? 4 : 1
        let count = (upper.series + (lower?.series ?? [])).map(\.values.count).max() ?? 0
        guard let upperAxis = axis(for: upper, count: count, rows: layout.upperRows) else {
            grid.put("waiting for the first steps", x: x, y: y + rows / 2, style: .dim, maxWidth: columns)
            return
        }
        let lowerRows: Int
        switch layout.lower {
        case .panel(let rows): lowerRows = rows
        case .strip: lowerRows = 1
        case .legend, nil: lowerRows = 0
        }
        let lowerAxis = lower.flatMap { axis(for: $0, count: count, rows: max(1, lowerRows)) }
        let upperTicks = upperAxis.tickRows(rows: layout.upperRows, dotsPerRow: down)
        var lowerTicks: [(row: Int, label: String)] = []
        if case .panel = layout.lower, let lowerAxis { lowerTicks = lowerAxis.tickRows(rows: lowerRows, dotsPerRow: down) }
        let stripName = layout.lower == .strip ? lower?.name ?? "" : ""
        let labelWidth = ((upperTicks + lowerTicks).map(\.label.count) + [stripName.count]).max()! + 1
        let plotX = x + labelWidth, plotColumns = columns - labelWidth
        guard plotColumns >= 2 else { return }

        // The upper legend takes the lower panel's entries when that panel has no row of its own.
        var entries = legend(upper, axis: upperAxis, priority: 10)
        if let lower, layout.lower == .strip || layout.lower == .legend {
            entries += legend(lower, axis: lowerAxis, priority: 7)
        }
        if logarithmic { entries.append(LegendEntry(text: "log scale", color: .terminalDefault, style: .dim, priority: 0)) }
        putLegend(entries, into: &grid, x: plotX, y: y, width: plotColumns)
        let upperTop = y + 1
        plot(upper, axis: upperAxis, into: &grid, x: plotX, y: upperTop, columns: plotColumns, rows: layout.upperRows, count: count)
        putTicks(upperTicks, into: &grid, x: x, y: upperTop, width: labelWidth - 1)
        putMarkLabels(into: &grid, x: plotX, y: upperTop, columns: plotColumns, count: count)

        guard let lower else { return }
        let lowerTop = upperTop + layout.upperRows
        switch layout.lower {
        case .panel:
            putLegend(legend(lower, axis: lowerAxis, priority: 10), into: &grid, x: plotX, y: lowerTop, width: plotColumns)
            if let lowerAxis {
                plot(lower, axis: lowerAxis, into: &grid, x: plotX, y: lowerTop + 1, columns: plotColumns, rows: lowerRows, count: count)
            }
            putTicks(lowerTicks, into: &grid, x: x, y: lowerTop + 1, width: labelWidth - 1)
        case .strip:
            grid.put(stripName, x: x, y: lowerTop, foreground: lower.series.first?.color ?? .terminalDefault, style: .dim)
            if let lowerAxis {
                plot(lower, axis: lowerAxis, into: &grid, x: plotX, y: lowerTop, columns: plotColumns, rows: 1, count: count)
            }
        case .legend, nil:
            break
        }
    }

    /// The axis for a panel `rows` high. On a linear axis the values in the first tenth of the
    /// x axis do not count (see the type's notes).
    func axis(for panel: Panel, count: Int, rows: Int) -> ChartAxis? {
        let start = logarithmic ? 0 : count / 10
        let values = panel.series.flatMap { $0.values.dropFirst(start) }
            + panel.points.flatMap { $0.points.filter { $0.index >= start }.map(\.value) }
        return ChartAxis(covering: values, logarithmic: logarithmic, about: rows / 3)
    }

    /// Legend entries for a panel's series and points with their latest values, from
    /// `priority` down in the order given.
    func legend(_ panel: Panel, axis: ChartAxis?, priority: Int) -> [LegendEntry] {
        func value(_ value: Double?) -> String {
            guard let value else { return "-" }
            return axis?.valueLabel(value) ?? (value.isFinite ? String(format: "%g", value) : "-")
        }
        let lines = panel.series.enumerated().map { index, line in
            LegendEntry(text: "\(line.name) \(value(line.values.last))", color: line.color, style: line.style,
                        priority: priority - index)
        }
        let points = panel.points.enumerated().map { index, set in
            LegendEntry(text: "\(set.glyph) \(set.name) \(value(set.points.last?.value))", color: set.color, style: .bold,
                        priority: priority - panel.series.count - index)
        }
        return lines + points
    }

    /// The entries two spaces apart from (x, y), leaving out the lowest-priority ones until the
    /// rest fit `width`: an entry is shown whole or not at all.
    func putLegend(_ entries: [LegendEntry], into grid: inout Grid, x: Int, y: Int, width: Int) {
        var kept = entries
        func length() -> Int { kept.map { $0.text.unicodeScalars.count }.reduce(0, +) + 2 * max(0, kept.count - 1) }
        while length() > width, let lowest = kept.indices.min(by: { kept[$0].priority < kept[$1].priority }) {
            kept.remove(at: lowest)
        }
        var column = x
        for entry in kept {
            grid.put(entry.text, x: column, y: y, foreground: entry.color, style: entry.style)
            column += entry.text.unicodeScalars.count + 2
        }
    }

    /// Tick labels right-aligned in the label column.
    func putTicks(_ ticks: [(row: Int, label: String)], into grid: inout Grid, x: Int, y: Int, width: Int) {
        for tick in ticks {
            grid.put(tick.label, x: x + width - tick.label.count, y: y + tick.row, style: .dim)
        }
    }

    /// The labels of the labelled marks on the plot's top row: right of the mark, or left of it
    /// when there is no room, and not over an earlier label.
    func putMarkLabels(into grid: inout Grid, x: Int, y: Int, columns: Int, count: Int) {
        var taken: [ClosedRange<Int>] = []
        for (mark, label) in labelledMarks where mark >= 0 && mark < count {
            let cx = x + dotColumn(mark, columns: columns, count: count) / (braille ? 2 : 1)
            let width = label.unicodeScalars.count
            let start = cx + width <= x + columns ? cx : cx - width + 1
            let span = start...(start + width - 1)
            guard start >= x, !taken.contains(where: { $0.overlaps(span) }) else { continue }
            taken.append(span)
            grid.put(label, x: start, y: y, style: .bold)
        }
    }

    /// The dot column of x position `index` on a plot `columns` cells wide.
    func dotColumn(_ index: Int, columns: Int, count: Int) -> Int {
        count <= 1 ? 0 : index * (columns * (braille ? 2 : 1) - 1) / (count - 1)
    }

    /// Draws a panel's marks, lines and points in the rectangle.
    func plot(_ panel: Panel, axis: ChartAxis, into grid: inout Grid, x: Int, y: Int, columns: Int, rows: Int, count: Int) {
        let (across, down) = braille ? (2, 4) : (1, 1)
        let dotsHigh = rows * down
        // Marks first, so that lines are drawn over them: dotted for marks, solid for labelled
        // ones, in the braille dot column of their position.
        let dotted: [UInt32] = [0x05, 0x28], solid: [UInt32] = [0x47, 0xB8]
        for (mark, labelled) in marks.map({ ($0, false) }) + labelledMarks.map({ ($0.index, true) }) where mark >= 0 && mark < count {
            let dx = dotColumn(mark, columns: columns, count: count)
            let glyph: Unicode.Scalar = braille ? Unicode.Scalar(0x2800 + (labelled ? solid : dotted)[dx % 2])! : labelled ? "|" : ":"
            for row in 0..<rows { grid[x + dx / across, y + row] = Cell(glyph, style: .dim) }
        }
        var lineCells = Set<Int>()
        for line in panel.series.reversed() {
            var bits = [Int: UInt32]()
            var previous: (x: Int, y: Int)?
            for (index, value) in line.values.enumerated() {
                guard let dy = axis.dot(value, dots: dotsHigh) else {
                    previous = nil
                    continue
                }
                let point = (x: dotColumn(index, columns: columns, count: count), y: dy)
                let from = previous ?? point
                // Join consecutive points so steep changes stay connected; dots beyond the
                // panel are left out.
                let steps = max(abs(point.x - from.x), abs(point.y - from.y))
                for s in 0...steps {
                    let t = steps == 0 ? 1 : Double(s) / Double(steps)
                    let px = Int((Double(from.x) + Double(point.x - from.x) * t).rounded())
                    let py = Int((Double(from.y) + Double(point.y - from.y) * t).rounded())
                    guard py >= 0, py < dotsHigh else { continue }
                    bits[(py / down) * columns + px / across, default: 0] |= braille ? ImageRenderer.brailleBits[(py % 4) * 2 + px % 2] : 1
                }
                previous = point
            }
            for (cell, dots) in bits {
                let (cx, cy) = (x + cell % columns, y + cell / columns)
                // Lines that share a cell merge their dots; the line drawn last keeps its colour.
                let merged = braille && lineCells.contains(cell) ? (grid[cx, cy].glyph.value - 0x2800) | dots : dots
                grid[cx, cy] = Cell(braille ? Unicode.Scalar(0x2800 + merged)! : "*", foreground: line.color, style: line.style)
                lineCells.insert(cell)
            }
        }
        for set in panel.points.reversed() {
            for point in set.points where point.index >= 0 && point.index < count {
                guard let dy = axis.dot(point.value, dots: dotsHigh), dy >= 0, dy < dotsHigh else { continue }
                let dx = dotColumn(point.index, columns: columns, count: count)
                grid[x + dx / across, y + dy / down] = Cell(set.glyph, foreground: set.color, style: .bold)
            }
        }
    }
}
