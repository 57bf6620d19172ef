import Foundation
import XCTest
@testable import TerminalUI

final class LineChartTests: XCTestCase {
    static let (totalColor, reconstructionColor, testColor, klColor) = (TerminalColor.palette(231), TerminalColor.palette(39),
                                                                        TerminalColor.palette(226), TerminalColor.palette(208))

    /// A run's last stretch: the total falls from 265 to 260 over 200 steps, the KL stays near 5,
    /// two epochs end at steps 99 and 199 with their test scores.
    func lossChart(total: [Double] = (0..<200).map { 265 - 5 * Double($0) / 199 }) -> LineChart {
        let kl = total.indices.map { 5 + 0.2 * sin(Double($0) / 10) }
        var chart = LineChart(
            upper: .init(name: "loss", series: [
                .init(name: "total", values: total, color: Self.totalColor),
                .init(name: "recon", values: zip(total, kl).map { $0 - $1 }, color: Self.reconstructionColor),
            ], points: [.init(name: "test", points: [(99, 263.5), (199, 261.2)], glyph: "o", color: Self.testColor)]),
            lower: .init(name: "KL", series: [.init(name: "KL", values: kl, color: Self.klColor)]))
        chart.marks = [99, 199]
        return chart
    }

    func draw(_ chart: LineChart, columns: Int, rows: Int) -> Grid {
        var grid = Grid(width: columns, height: rows)
        chart.draw(into: &grid, x: 0, y: 0, columns: columns, rows: rows)
        return grid
    }

    /// The column where the plots start: the legend row begins there.
    func plotX(_ grid: Grid) -> Int {
        grid.lines[0].unicodeScalars.firstIndex { $0 != " " }.map { grid.lines[0].unicodeScalars.distance(from: grid.lines[0].unicodeScalars.startIndex, to: $0) } ?? 0
    }

    func rows(of color: TerminalColor, column: Int, in grid: Grid, within range: Range<Int>) -> [Int] {
        range.filter { grid[column, $0].foreground == color && grid[column, $0].glyph != " " }
    }

    func assertLayout(_ layout: LineChart.Layout, _ upperRows: Int, _ lower: LineChart.Layout.Lower?, line: UInt = #line) {
        XCTAssertEqual(layout.upperRows, upperRows, line: line)
        XCTAssertEqual(layout.lower, lower, line: line)
    }

    func testLayout_TheKLPanelShrinksToAStripThenToItsLegendEntry() {
        assertLayout(LineChart.Layout(rows: 19, hasLower: true, braille: true), 13, .panel(rows: 4))
        assertLayout(LineChart.Layout(rows: 11, hasLower: true, braille: true), 7, .panel(rows: 2))
        assertLayout(LineChart.Layout(rows: 10, hasLower: true, braille: true), 8, .strip)
        assertLayout(LineChart.Layout(rows: 5, hasLower: true, braille: true), 3, .strip)
        assertLayout(LineChart.Layout(rows: 8, hasLower: true, braille: false), 7, .legend)
        assertLayout(LineChart.Layout(rows: 4, hasLower: true, braille: true), 3, .legend)
        assertLayout(LineChart.Layout(rows: 8, hasLower: false, braille: true), 7, nil)
    }

    func testChart_TotalAndReconstructionAFewPercentApartAreOnSeparateRows() {
        let grid = draw(lossChart(), columns: 80, rows: 16)
        let layout = LineChart.Layout(rows: 16, hasLower: true, braille: true)
        let upper = 1..<(1 + layout.upperRows)
        var columnsWithBoth = 0
        for column in plotX(grid)..<80 {
            let total = rows(of: Self.totalColor, column: column, in: grid, within: upper)
            let reconstruction = rows(of: Self.reconstructionColor, column: column, in: grid, within: upper)
            guard let lowestTotal = total.max(), let highestReconstruction = reconstruction.min() else { continue }
            columnsWithBoth += 1
            XCTAssertLessThan(lowestTotal + 1, highestReconstruction, "column \(column): a free row at least between the lines")
        }
        XCTAssertGreaterThan(columnsWithBoth, 60)
        // The KL has its own panel below, on its own scale.
        let lower = (2 + layout.upperRows)..<16
        XCTAssertTrue(grid.lines[1 + layout.upperRows].contains("KL 5."), grid.lines[1 + layout.upperRows])
        XCTAssertTrue((plotX(grid)..<80).allSatisfy { rows(of: Self.klColor, column: $0, in: grid, within: upper).isEmpty })
        XCTAssertGreaterThan(Set((plotX(grid)..<80).flatMap { rows(of: Self.klColor, column: $0, in: grid, within: lower) }).count, 1,
                             "the KL's wiggle spans rows of its own axis")
    }

    func testChart_TestScoresArePointsAtTheirEpochsEnds() {
        let chart = lossChart()
        let grid = draw(chart, columns: 80, rows: 16)
        let x = plotX(grid), layout = LineChart.Layout(rows: 16, hasLower: true, braille: true)
        var found: [Int] = []
        for row in 1...layout.upperRows {
            for column in x..<80 where grid[column, row].glyph == "o" {
                XCTAssertEqual(grid[column, row].foreground, Self.testColor)
                found.append(column)
            }
        }
        XCTAssertEqual(found.sorted(), [99, 199].map { x + chart.dotColumn($0, columns: 80 - x, count: 200) / 2 })
        XCTAssertTrue(grid.lines[0].contains("o test 261.2"), grid.lines[0])
    }

    func testChart_LogScaleDrawsWhatIsPositiveAndSaysSo() {
        var chart = lossChart(total: [-1, 0, 900, 500, 300, 0, 280, 270, 265, 262])
        chart.logarithmic = true
        let grid = draw(chart, columns: 60, rows: 14)
        XCTAssertTrue(grid.lines[0].contains("log scale"), grid.lines[0])
        let x = plotX(grid)
        let labels = grid.lines.dropFirst().map { String($0.prefix(x)).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "KL" }
        XCTAssertGreaterThanOrEqual(labels.count, 3)
        XCTAssertTrue(labels.allSatisfy { Double($0)! > 0 }, "\(labels)")
        XCTAssertEqual(Set(labels).count, labels.count, "\(labels)")
        // The line is broken where the values are not positive: nothing at the first x.
        XCTAssertTrue((1..<14).allSatisfy { grid[x, $0].foreground != Self.totalColor })
        XCTAssertTrue(grid.cells.contains { $0.foreground == Self.totalColor && $0.glyph.value >= 0x2800 })
    }

    func testChart_LabelsFitTheirColumnWhateverTheValues() {
        let ranges: [[Double]] = [[265, 260], [0.01412, 0.01208], [1e-7, 1.1e-7], [-5, 3], [123_456, 98_765], [5, 5]]
        for values in ranges {
            for rows in [4, 6, 9, 16] {
                let grid = draw(lossChart(total: (0..<50).map { values[0] + (values[1] - values[0]) * Double($0) / 49 }), columns: 60, rows: rows)
                let x = plotX(grid)
                for row in 1..<rows {
                    let label = String(grid.lines[row].prefix(x))
                    XCTAssertEqual(label.last, " ", "a space between label and plot: '\(label)'")
                    let text = label.trimmingCharacters(in: .whitespaces)
                    XCTAssertTrue(text.isEmpty || text == "KL" || Double(text) != nil, "a whole label: '\(text)' in \(values), \(rows) rows")
                }
                for scalar in grid.lines.joined().unicodeScalars {
                    XCTAssertTrue(scalar.isASCII || (0x2800...0x28FF).contains(scalar.value), "only ASCII and braille: \(scalar)")
                }
            }
        }
    }

    func testChart_SmallChartsKeepWholeValues() {
        let strip = draw(lossChart(), columns: 60, rows: 6)
        XCTAssertTrue(strip.lines[5].hasPrefix("KL "), "the KL as a one-row strip: \(strip.lines[5])")
        XCTAssertTrue(strip.lines[0].contains("KL 5."), "its value joins the legend: \(strip.lines[0])")
        let legendOnly = draw(lossChart(), columns: 60, rows: 4)
        XCTAssertTrue(legendOnly.lines[0].contains("KL 5."), legendOnly.lines[0])
        XCTAssertFalse(legendOnly.lines.dropFirst().contains { $0.hasPrefix("KL") })
        // Narrower: entries go whole, the least important first.
        for columns in [20, 26, 34, 44, 52] {
            let legend = draw(lossChart(), columns: columns, rows: 16).lines[0].trimmingCharacters(in: .whitespaces)
            let entries = legend.components(separatedBy: "  ")
            XCTAssertTrue(entries.first?.hasPrefix("total ") == true, "\(columns): \(legend)")
            for entry in entries {
                XCTAssertNotNil(Double(entry.split(separator: " ").last ?? ""), "\(columns): a whole value in '\(entry)'")
            }
        }
        XCTAssertEqual(draw(lossChart(), columns: 34, rows: 16).lines[0].trimmingCharacters(in: .whitespaces), "total 260.0  recon 254.8")
    }

    func testChart_WithoutBrailleUsesASCII() {
        var chart = lossChart()
        chart.braille = false
        chart.labelledMarks = [(150, "beta 2")]
        let grid = draw(chart, columns: 60, rows: 16)
        let text = grid.lines.joined(separator: "\n")
        XCTAssertTrue(text.unicodeScalars.allSatisfy(\.isASCII))
        XCTAssertTrue(text.contains("*") && text.contains("o") && text.contains(":") && text.contains("|") && text.contains("beta 2"), text)
    }
}
