import Foundation

/// A picture of a checkpoint's loss history: the train objective and the test negative ELBO
/// per epoch on one axis, the KL term on a second panel below, with ticks and a legend.
public enum LossCurvePlot {
    /// One line of the plot.
    struct Series {
        var name: String
        var values: [Double]
        var shade: Float      // 0 black .. 1 white
        var dash: Int         // 0 solid, else dash length in pixels
    }

    /// Draws the history (at least one epoch) as a grayscale image.
    public static func render(_ history: [EpochRecord], width: Int = 640, height: Int = 440) -> ImageFile.Gray {
        precondition(!history.isEmpty, "no epochs to plot")
        var pixels = [Float](repeating: 1, count: width * height)
        let scale = 2
        let top = [
            Series(name: "train", values: history.map(\.train.total), shade: 0, dash: 0),
            Series(name: "test", values: history.map(\.test.negativeELBO), shade: 0.35, dash: 8),
            Series(name: "recon", values: history.map(\.train.reconstruction), shade: 0.6, dash: 3),
        ]
        let bottom = [Series(name: "KL", values: history.map(\.train.kl), shade: 0, dash: 0)]
        let left = 64, right = width - 16
        let split = Int(Double(height) * 0.62)
        panel(top, epochs: history.map(\.epoch), title: "nats per image", x0: left, x1: right, y0: 28, y1: split - 24,
              into: &pixels, width: width, height: height, scale: scale)
        panel(bottom, epochs: history.map(\.epoch), title: "KL", x0: left, x1: right, y0: split + 12, y1: height - 40,
              into: &pixels, width: width, height: height, scale: scale)
        let label = "epoch"
        PixelFont.draw(label, x: (left + right - PixelFont.width(label, scale: scale)) / 2, y: height - 14, scale: scale,
                       value: 0, into: &pixels, width: width, height: height)
        return ImageFile.Gray(width: width, height: height, pixels: pixels)
    }

    /// One panel: frame, y ticks with labels, x ticks at epochs, the lines and a legend.
    private static func panel(_ series: [Series], epochs: [Int], title: String, x0: Int, x1: Int, y0: Int, y1: Int,
                              into pixels: inout [Float], width: Int, height: Int, scale: Int) {
        func set(_ x: Int, _ y: Int, _ value: Float) {
            if x >= 0, y >= 0, x < width, y < height { pixels[y * width + x] = value }
        }
        let values = series.flatMap(\.values).filter(\.isFinite)
        var low = values.min() ?? 0, high = values.max() ?? 1
        if high - low < 1e-9 { low -= 1; high += 1 }
        let pad = (high - low) * 0.05
        low -= pad; high += pad
        func px(_ index: Int) -> Int { epochs.count == 1 ? (x0 + x1) / 2 : x0 + (x1 - x0) * index / (epochs.count - 1) }
        func py(_ value: Double) -> Int { y1 - Int(((value - low) / (high - low) * Double(y1 - y0)).rounded()) }
        // Frame and ticks.
        for x in x0...x1 { set(x, y1, 0); set(x, y0, 0.7) }
        for y in y0...y1 { set(x0, y, 0) }
        for tick in 0...4 {
            let value = low + (high - low) * Double(tick) / 4
            let y = py(value)
            for x in (x0 - 4)..<x0 { set(x, y, 0) }
            for x in stride(from: x0 + 1, to: x1, by: 4) { set(x, y, 0.85) }
            let text = String(format: value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value)
            PixelFont.draw(text, x: x0 - 8 - PixelFont.width(text, scale: scale), y: y - 5, scale: scale, value: 0,
                           into: &pixels, width: width, height: height)
        }
        let every = max(1, epochs.count / 10)
        for (index, epoch) in epochs.enumerated() where index % every == 0 || index == epochs.count - 1 {
            let x = px(index)
            for y in y1..<(y1 + 4) { set(x, y, 0) }
            let text = String(epoch)
            PixelFont.draw(text, x: x - PixelFont.width(text, scale: scale) / 2, y: y1 + 7, scale: scale, value: 0,
                           into: &pixels, width: width, height: height)
        }
        PixelFont.draw(title, x: x0 + 4, y: y0 - 14, scale: scale, value: 0, into: &pixels, width: width, height: height)
        // Lines, two pixels thick, dashed by distance along x.
        for line in series {
            for index in 1..<max(1, line.values.count) {
                let (ax, ay, bx, by) = (px(index - 1), py(line.values[index - 1]), px(index), py(line.values[index]))
                let steps = max(abs(bx - ax), abs(by - ay), 1)
                for s in 0...steps {
                    let x = ax + (bx - ax) * s / steps, y = ay + (by - ay) * s / steps
                    if line.dash > 0 && (x / line.dash) % 2 == 1 { continue }
                    set(x, y, line.shade); set(x, y + 1, line.shade)
                }
            }
            if line.values.count == 1 {
                for d in -3...3 { set(px(0) + d, py(line.values[0]), line.shade) }
            }
        }
        // Legend, top right.
        var y = y0 + 6
        for line in series {
            let text = line.name
            let x = x1 - 8 - PixelFont.width(text, scale: scale) - 30
            for dx in 0..<24 where line.dash == 0 || (dx / max(1, line.dash / 2)) % 2 == 0 {
                set(x + dx, y + 4, line.shade); set(x + dx, y + 5, line.shade)
            }
            PixelFont.draw(text, x: x + 30, y: y, scale: scale, value: 0, into: &pixels, width: width, height: height)
            y += 16
        }
    }
}
