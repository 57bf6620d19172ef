import Foundation
import XCTest
@testable import TerminalUI

final class ChartAxisTests: XCTestCase {
    func testAxis_TicksAreRound125ValuesInTheDatasNeighbourhoodAndDistinct() {
        for (low, high) in [(260.0, 265.0), (0.0121, 0.0149), (-3.0, 7.0), (5.2, 5.3), (1000.0, 98000.0), (1e-7, 3e-7), (42.0, 42.0)] {
            let axis = ChartAxis(covering: [high, low, (low + high) / 2], logarithmic: false, about: 4)!
            let values = axis.ticks.map(\.value), labels = axis.ticks.map(\.label)
            XCTAssertGreaterThanOrEqual(values.count, 2, "\(low)...\(high)")
            XCTAssertEqual(Set(labels).count, labels.count, "distinct labels \(labels)")
            let step = values[1] - values[0]
            let mantissa = step / pow(10, floor(log10(step) + 1e-9))
            XCTAssertTrue([1, 2, 5].contains { abs(mantissa - $0) < 1e-6 }, "a 1-2-5 step, not \(step)")
            for (value, label) in axis.ticks {
                XCTAssertEqual(value / step, (value / step).rounded(), accuracy: 1e-6, "\(value) is a whole number of steps")
                XCTAssertTrue(value >= axis.low - 1e-12 && value <= axis.high + 1e-12, "\(value) inside the axis")
                XCTAssertEqual(Double(label)!, value, accuracy: step * 1e-6, "\(label) reads as \(value)")
            }
            // Near the data, with a little margin: not from 0.
            let margin = high > low ? (high - low) * 0.1 : max(abs(high) * 0.011, 1e-3)
            XCTAssertTrue(axis.low <= low && axis.low >= low - margin, "the axis starts near \(low), at \(axis.low)")
            XCTAssertTrue(axis.high >= high && axis.high <= high + margin, "the axis ends near \(high), at \(axis.high)")
        }
        XCTAssertEqual(ChartAxis(covering: [260, 265], logarithmic: false, about: 4)!.ticks.map(\.label), ["260", "262", "264"])
        XCTAssertEqual(ChartAxis(covering: [0.0121, 0.0149], logarithmic: false, about: 4)!.ticks.map(\.label),
                       ["0.012", "0.013", "0.014", "0.015"], "as many decimals as tell the ticks apart, no more")
        XCTAssertNil(ChartAxis(covering: [.nan, .infinity], logarithmic: false, about: 4))
    }

    func testAxis_LogarithmicLeavesOutValuesAtOrBelowZero() {
        let wide = ChartAxis(covering: [-1, 0, 0.5, 500], logarithmic: true, about: 4)!
        XCTAssertEqual(wide.ticks.map(\.label), ["1", "10", "100"], "powers of ten when 1-2-5 would be too many")
        XCTAssertNil(wide.dot(0, dots: 40))
        XCTAssertNil(wide.dot(-1, dots: 40))
        XCTAssertEqual(wide.dot(0.5, dots: 41)!, 38)
        XCTAssertEqual(ChartAxis(covering: [3, 70], logarithmic: true, about: 6)!.ticks.map(\.label), ["5", "10", "20", "50"])
        // A narrow range is nearly linear: round linear steps.
        XCTAssertEqual(ChartAxis(covering: [260, 265], logarithmic: true, about: 4)!.ticks.map(\.label), ["260", "262", "264"])
        XCTAssertNil(ChartAxis(covering: [0, -3], logarithmic: true, about: 4))
    }
}
