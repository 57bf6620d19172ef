import Foundation

/// Round tick values for a plot axis: steps of 1, 2 or 5 times a power of ten, as people
/// read them, over a range widened to whole steps.
public struct NiceTicks: Equatable, Sendable {
    /// The axis range, both ends multiples of `step`.
    public private(set) var low: Double
    public private(set) var high: Double
    public private(set) var step: Double

    /// Ticks for values from `low` to `high`, about `count` of them; `integers` keeps the step
    /// at 1 or more (for epochs).
    public init(covering low: Double, _ high: Double, about count: Int, integers: Bool = false) {
        var (low, high) = (min(low, high), max(low, high))
        if high - low < 1e-12 {
            let pad = max(abs(low) * 0.05, integers ? 1 : 1e-3)
            (low, high) = (low - pad, high + pad)
        }
        let raw = (high - low) / Double(max(1, count))
        let magnitude = pow(10, floor(log10(raw)))
        let residual = raw / magnitude
        var step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude
        if integers { step = max(1, step.rounded()) }
        self.step = step
        self.low = (low / step).rounded(.down) * step
        self.high = (high / step).rounded(.up) * step
    }

    /// Every tick from `low` to `high`.
    public var values: [Double] {
        let count = Int(((high - low) / step).rounded())
        return (0...count).map { low + Double($0) * step }
    }

    /// The ticks that fall within `range`, for an axis that keeps its own ends.
    public func values(within range: ClosedRange<Double>) -> [Double] {
        values.filter { range.contains($0) || abs($0 - range.lowerBound) < step * 1e-9 || abs($0 - range.upperBound) < step * 1e-9 }
    }

    /// The decimals the step needs: the fewest that tell two neighbouring ticks apart.
    public var decimals: Int {
        max(0, Int(-floor(log10(step) + 1e-9)))
    }

    /// `value` with as many decimals as the step needs.
    public func label(_ value: Double) -> String {
        let text = String(format: "%.\(decimals)f", value)
        // No "-0" or "-0.0" for a value that rounds to zero.
        return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
    }
}
