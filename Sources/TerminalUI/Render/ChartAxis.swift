import Foundation
import VAECore

/// The y axis of a chart panel: a range from the data with a little margin (not from 0), and
/// round ticks of 1, 2 or 5 times a power of ten inside it, labelled with as many decimals as
/// tell them apart and no more (`NiceTicks`, as the PNG plots use).
///
/// On a logarithmic axis positions are log10 of the values and values <= 0 are left out; the
/// ticks are 1, 2 and 5 times powers of ten when the range holds two of them, else the round
/// steps of a linear axis (a narrow range is nearly linear).
struct ChartAxis {
    /// The ends of the axis in plotted units (log10 of the values on a logarithmic axis).
    let low: Double
    let high: Double
    let logarithmic: Bool
    /// Round values inside the range, lowest first, with their labels.
    let ticks: [(value: Double, label: String)]
    /// Decimals of the latest values in a legend: one more than round ticks over the data need.
    let valueDecimals: Int

    /// An axis for `values` (those that cannot be plotted are skipped) with about `count` ticks;
    /// nil when none can be plotted.
    init?(covering values: [Double], logarithmic: Bool, about count: Int) {
        let plotted = values.compactMap { ChartAxis.position(of: $0, logarithmic: logarithmic) }
        guard let lowest = plotted.min(), let highest = plotted.max() else { return nil }
        let span = highest - lowest
        let margin = span > 1e-9 * max(1, abs(highest)) ? span * 0.05 : logarithmic ? 0.01 : max(abs(highest) * 0.01, 1e-3)
        low = lowest - margin
        high = highest + margin
        self.logarithmic = logarithmic
        let count = max(2, count)
        if logarithmic {
            ticks = ChartAxis.decadeTicks(low, high, about: count) ?? ChartAxis.roundTicks(pow(10, low), pow(10, high), about: count)
            valueDecimals = NiceTicks(covering: pow(10, lowest), pow(10, highest), about: 4).decimals + 1
        } else {
            ticks = ChartAxis.roundTicks(low, high, about: count)
            valueDecimals = NiceTicks(covering: lowest, highest, about: 4).decimals + 1
        }
    }

    /// Where `value` goes on an axis, in plotted units; nil for what cannot be plotted (not
    /// finite, or <= 0 on a logarithmic axis).
    static func position(of value: Double, logarithmic: Bool) -> Double? {
        guard value.isFinite else { return nil }
        return logarithmic ? (value > 0 ? log10(value) : nil) : value
    }

    /// The dot row of `value` when the axis is `dots` high, 0 at the top; outside 0..<dots for
    /// values beyond the range (clamped far enough out to draw a line leaving the panel).
    func dot(_ value: Double, dots: Int) -> Int? {
        guard let position = ChartAxis.position(of: value, logarithmic: logarithmic) else { return nil }
        let exact = (high - position) / (high - low) * Double(dots - 1)
        return Int(min(max(exact, Double(-10 * dots)), Double(11 * dots)).rounded())
    }

    /// The ticks by cell row, top first, when the axis is `rows` cells of `dotsPerRow` dots:
    /// a tick goes on the row that holds its dot, and a row holds one tick at most.
    func tickRows(rows: Int, dotsPerRow: Int) -> [(row: Int, label: String)] {
        var taken = Set<Int>()
        return ticks.reversed().compactMap { tick in
            guard let dot = dot(tick.value, dots: rows * dotsPerRow) else { return nil }
            let row = dot / dotsPerRow
            guard dot >= 0, row < rows, taken.insert(row).inserted else { return nil }
            return (row, tick.label)
        }
    }

    /// A latest value for a legend.
    func valueLabel(_ value: Double) -> String {
        value.isFinite ? String(format: "%.\(valueDecimals)f", value) : "-"
    }

    /// The linear round ticks inside `low...high`, at least two (a finer step is tried while
    /// fewer fall inside).
    static func roundTicks(_ low: Double, _ high: Double, about count: Int) -> [(value: Double, label: String)] {
        var ticks = NiceTicks(covering: low, high, about: count)
        for finer in (count + 1)...(count + 4) where ticks.values(within: low...high).count < 2 {
            ticks = NiceTicks(covering: low, high, about: finer)
        }
        return ticks.values(within: low...high).map { ($0, ticks.label($0)) }
    }

    /// 1, 2 and 5 times powers of ten inside `low...high` (log10 units), only the powers of ten
    /// when those are too many and two of them fit; nil when fewer than two fit.
    static func decadeTicks(_ low: Double, _ high: Double, about count: Int) -> [(value: Double, label: String)]? {
        var values: [Double] = []
        for power in Int(floor(low))...Int(ceil(high)) {
            for multiple in [1.0, 2, 5] {
                let value = multiple * pow(10, Double(power))
                if (low...high).contains(log10(value)) { values.append(value) }
            }
        }
        let decades = values.filter { abs(log10($0) - log10($0).rounded()) < 1e-9 }
        if values.count > count, decades.count >= 2 { values = decades }
        guard values.count >= 2 else { return nil }
        return values.map { value in
            let decimals = max(0, Int(-floor(log10(value) + 1e-9)))
            return (value, String(format: "%.\(decimals)f", value))
        }
    }
}
