import Foundation

/// A white grayscale image that plots draw into; everything outside it is clipped.
struct PlotCanvas {
    static let scale = 2
    let width: Int
    let height: Int
    var pixels: [Float]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [Float](repeating: 1, count: width * height)
    }

    mutating func set(_ x: Int, _ y: Int, _ value: Float) {
        if x >= 0, y >= 0, x < width, y < height { pixels[y * width + x] = value }
    }

    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ value: Float) {
        for yy in y..<(y + h) { for xx in x..<(x + w) { set(xx, yy, value) } }
    }

    mutating func text(_ text: String, x: Int, y: Int) {
        PixelFont.draw(text, x: x, y: y, scale: Self.scale, value: 0, into: &pixels, width: width, height: height)
    }

    /// Pixels darker than the grid lines in a rectangle: how much a legend there would hide.
    func ink(x: Int, y: Int, width w: Int, height h: Int) -> Int {
        var count = 0
        for yy in max(0, y)..<min(height, y + h) {
            for xx in max(0, x)..<min(width, x + w) where pixels[yy * width + xx] < 0.8 { count += 1 }
        }
        return count
    }

    /// A line two pixels thick, dashed by distance along x when `dash` > 0.
    mutating func line(from a: (Int, Int), to b: (Int, Int), shade: Float, dash: Int) {
        let steps = max(abs(b.0 - a.0), abs(b.1 - a.1), 1)
        for s in 0...steps {
            let x = a.0 + (b.0 - a.0) * s / steps, y = a.1 + (b.1 - a.1) * s / steps
            if dash > 0 && (x / dash) % 2 == 1 { continue }
            set(x, y, shade)
            set(x, y + 1, shade)
        }
    }

    mutating func marker(_ marker: LossCurvePlot.Marker, x: Int, y: Int, shade: Float) {
        switch marker {
        case .filled:
            fill(x: x - 2, y: y - 2, width: 5, height: 5, shade)
        case .hollow:
            fill(x: x - 3, y: y - 3, width: 7, height: 7, shade)
            fill(x: x - 1, y: y - 1, width: 3, height: 3, 1)
        case .cross:
            for d in -3...3 { set(x + d, y + d, shade); set(x + d, y - d, shade) }
        }
    }

    /// One panel: frame, round y ticks with labels and grid lines, epoch ticks, the lines with
    /// their markers, and the legend in the corner the lines leave most free.
    /// Values outside ±1e30 nats (a diverged record, or a crafted history) are left out like NaN:
    /// no loss worth a look is that large, and the axis arithmetic would overflow.
    mutating func drawPanel(_ panel: LossCurvePlot.Panel, epochs: [Int], x0: Int, x1: Int, y0: Int, y1: Int) {
        func plottable(_ value: Double) -> Bool { value.isFinite && abs(value) <= 1e30 }
        let values = panel.series.flatMap(\.values).filter(plottable)
        let ticks = NiceTicks(covering: values.min() ?? 0, values.max() ?? 1, about: max(2, (y1 - y0) / 40))
        let (first, last) = (Double(epochs.first ?? 0), Double(epochs.last ?? 0))
        func px(_ epoch: Double) -> Int {
            last == first ? (x0 + x1) / 2 : x0 + Int(((epoch - first) / (last - first) * Double(x1 - x0)).rounded())
        }
        func py(_ value: Double) -> Int { y1 - Int(((value - ticks.low) / (ticks.high - ticks.low) * Double(y1 - y0)).rounded()) }
        for x in x0...x1 { set(x, y1, 0) }
        for y in y0...y1 { set(x0, y, 0) }
        for value in ticks.values {
            let y = py(value)
            for x in (x0 - 4)..<x0 { set(x, y, 0) }
            if y != y1 { for x in stride(from: x0 + 2, to: x1, by: 4) { set(x, y, 0.85) } }
            let label = ticks.label(value)
            text(label, x: x0 - 8 - PixelFont.width(label, scale: Self.scale), y: y - 5)
        }
        let epochTicks = NiceTicks(covering: first, last, about: 10, integers: true)
        for epoch in epochTicks.values(within: first...last) {
            let x = px(epoch)
            for y in y1..<(y1 + 4) { set(x, y, 0) }
            let label = String(Int(epoch))
            text(label, x: x - PixelFont.width(label, scale: Self.scale) / 2, y: y1 + 7)
        }
        text(panel.title, x: x0 + 4, y: y0 - 14)
        let marked = epochs.count <= 30
        for series in panel.series {
            let points = zip(epochs, series.values).filter { plottable($0.1) }.map { (px(Double($0.0)), py($0.1)) }
            for (a, b) in zip(points, points.dropFirst()) { line(from: a, to: b, shade: series.shade, dash: series.dash) }
            if marked || points.count == 1 {
                for point in points { marker(series.marker, x: point.0, y: point.1, shade: series.shade) }
            }
        }
        drawLegend(panel.series, x0: x0, x1: x1, y0: y0, y1: y1)
    }

    /// The legend box in whichever corner of the panel hides the least of the lines.
    mutating func drawLegend(_ series: [LossCurvePlot.Series], x0: Int, x1: Int, y0: Int, y1: Int) {
        let longest = series.map { PixelFont.width($0.name, scale: Self.scale) }.max() ?? 0
        let (w, h) = (longest + 48, series.count * 16 + 8)
        let corners = [(x1 - w - 6, y0 + 6), (x0 + 8, y0 + 6), (x1 - w - 6, y1 - h - 6), (x0 + 8, y1 - h - 6)]
        let (x, y) = corners.min { ink(x: $0.0, y: $0.1, width: w, height: h) < ink(x: $1.0, y: $1.1, width: w, height: h) }!
        fill(x: x, y: y, width: w, height: h, 1)
        for xx in x..<(x + w) { set(xx, y, 0.7); set(xx, y + h - 1, 0.7) }
        for yy in y..<(y + h) { set(x, yy, 0.7); set(x + w - 1, yy, 0.7) }
        for (index, entry) in series.enumerated() {
            let rowY = y + 6 + index * 16
            line(from: (x + 6, rowY + 4), to: (x + 30, rowY + 4), shade: entry.shade, dash: entry.dash > 0 ? max(2, entry.dash / 2) : 0)
            marker(entry.marker, x: x + 18, y: rowY + 4, shade: entry.shade)
            text(entry.name, x: x + 38, y: rowY)
        }
    }
}
