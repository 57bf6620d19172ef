/// Resizing grayscale images by area averaging.
public enum ImageResampling {
    /// Each target pixel is the mean of the source area it covers, fractional edges weighted:
    /// exact replication for integer enlargements, a box filter for reductions.
    public static func areaAverage(_ pixels: [Float], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [Float] {
        precondition(pixels.count == width * height, "image has \(pixels.count) values, expected \(width)x\(height)")
        func weights(from source: Int, to target: Int) -> [[(index: Int, weight: Float)]] {
            let scale = Double(source) / Double(target)
            return (0..<target).map { t in
                let start = Double(t) * scale, end = Double(t + 1) * scale
                var taps: [(Int, Float)] = []
                var s = Int(start)
                while Double(s) < end && s < source {
                    let overlap = min(end, Double(s + 1)) - max(start, Double(s))
                    if overlap > 1e-9 { taps.append((s, Float(overlap / scale))) }
                    s += 1
                }
                return taps
            }
        }
        let columns = weights(from: width, to: toWidth), rows = weights(from: height, to: toHeight)
        var out = [Float](repeating: 0, count: toWidth * toHeight)
        for (ty, rowTaps) in rows.enumerated() {
            for (tx, columnTaps) in columns.enumerated() {
                var sum: Float = 0
                for (sy, wy) in rowTaps {
                    for (sx, wx) in columnTaps { sum += pixels[sy * width + sx] * wy * wx }
                }
                out[ty * toWidth + tx] = sum
            }
        }
        return out
    }
}
