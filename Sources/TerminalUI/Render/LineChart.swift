import Foundation

/// Line charts in braille cells: several series over a shared x axis, with y tick labels.
public struct LineChart {
    /// One line: its values by x, its colour and its name for the legend.
    public struct Series {
        public var name: String
        public var values: [Double]
        public var color: TerminalColor

        public init(name: String, values: [Double], color: TerminalColor) {
            self.name = name
            self.values = values
            self.color = color
        }
    }

    public var series: [Series]
    /// Plot log10 of the values (non-positive values are left out).
    public var logarithmic = false
    /// x positions (indices into the values) to mark with a vertical line, e.g. epoch ends.
    public var marks: [Int] = []
    /// x positions to mark with a label at the top of the plot, e.g. where beta changed.
    public var labelledMarks: [(index: Int, label: String)] = []
    /// Draw with braille dots (else with `*` characters, one point per cell).
    public var braille = true

    public init(series: [Series]) {
        self.series = series
    }

    /// Draws the chart into the rectangle: y labels on the left, the plot, a legend row below.
    public func draw(into grid: inout Grid, x: Int, y: Int, columns: Int, rows: Int) {
        let labelWidth = 8
        let plotX = x + labelWidth, plotColumns = columns - labelWidth, plotRows = rows - 1
        guard plotColumns > 2, plotRows > 2 else { return }
        func transform(_ v: Double) -> Double? {
            guard v.isFinite else { return nil }
            return logarithmic ? (v > 0 ? log10(v) : nil) : v
        }
        let all = series.flatMap { $0.values.compactMap(transform) }
        let count = series.map(\.values.count).max() ?? 0
        guard let low = all.min(), let high = all.max(), count > 0 else {
            grid.put("waiting for the first steps", x: plotX, y: y + plotRows / 2, style: .dim, maxWidth: plotColumns)
            return
        }
        let span = max(high - low, 1e-9)
        let (across, down) = braille ? (2, 4) : (1, 1)
        let dotsWide = plotColumns * across, dotsHigh = plotRows * down
        func column(_ index: Int) -> Int { count <= 1 ? 0 : index * (dotsWide - 1) / (count - 1) }
        func row(_ value: Double) -> Int { Int(((high - value) / span * Double(dotsHigh - 1)).rounded()) }
        for mark in marks where mark < count {
            let cx = plotX + column(mark) / across
            for r in 0..<plotRows where grid[cx, y + r].glyph == " " {
                grid[cx, y + r] = Cell(braille ? "┊" : ":", style: .dim)
            }
        }
        for (mark, label) in labelledMarks where mark < count {
            let cx = plotX + column(mark) / across
            for r in 1..<plotRows where grid[cx, y + r].glyph == " " || grid[cx, y + r].glyph == "┊" {
                grid[cx, y + r] = Cell(braille ? "│" : "|", style: .dim)
            }
            grid.put(label, x: cx, y: y, style: .bold, maxWidth: x + columns - cx)
        }
        for line in series {
            var bits = [Int: UInt32]()
            var previous: (Int, Int)?
            for (index, value) in line.values.enumerated() {
                guard let v = transform(value) else { previous = nil; continue }
                let point = (column(index), row(v))
                // Join consecutive points so steep changes stay connected.
                let steps = previous.map { max(abs(point.0 - $0.0), abs(point.1 - $0.1)) } ?? 0
                for s in 0...steps {
                    let t = steps == 0 ? 1 : Double(s) / Double(steps)
                    let px = previous.map { Int((Double($0.0) + Double(point.0 - $0.0) * t).rounded()) } ?? point.0
                    let py = previous.map { Int((Double($0.1) + Double(point.1 - $0.1) * t).rounded()) } ?? point.1
                    let cell = (py / down) * plotColumns + px / across
                    bits[cell, default: 0] |= braille ? ImageRenderer.brailleBits[(py % 4) * 2 + px % 2] : 1
                }
                previous = point
            }
            for (cell, dots) in bits {
                let glyph: Unicode.Scalar = braille ? Unicode.Scalar(0x2800 + dots)! : "*"
                let (cx, cy) = (plotX + cell % plotColumns, y + cell / plotColumns)
                let existing = grid[cx, cy]
                // Where lines share a cell, merge their dots (the later series' colour wins).
                let merged: Unicode.Scalar = braille && existing.glyph.value >= 0x2800 && existing.glyph.value <= 0x28FF
                    ? Unicode.Scalar(existing.glyph.value | dots)! : glyph
                grid[cx, cy] = Cell(merged, foreground: line.color)
            }
        }
        for tick in 0..<3 {
            let value = high - span * Double(tick) / 2
            let shown = logarithmic ? pow(10, value) : value
            grid.put(LineChart.label(shown), x: x, y: y + (plotRows - 1) * tick / 2, style: .dim, maxWidth: labelWidth - 1)
        }
        var legendX = plotX
        for line in series {
            let last = line.values.last.map { LineChart.label($0) } ?? "-"
            let text = "\(braille ? "━" : "-") \(line.name) \(last)   "
            grid.put(text, x: legendX, y: y + plotRows, foreground: line.color, maxWidth: x + columns - legendX)
            legendX += text.unicodeScalars.count
        }
        if logarithmic { grid.put("log", x: x, y: y + plotRows, style: .dim) }
    }

    /// A short number: 3 significant digits.
    static func label(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let magnitude = abs(value)
        if magnitude >= 1000 { return String(Int(value.rounded())) }
        if magnitude >= 100 { return String(format: "%.1f", value) }
        if magnitude >= 10 { return String(format: "%.2f", value) }
        return String(format: "%.3f", value)
    }
}
