/// How an image of another aspect ratio is fitted to a model's input, never stretched.
///
/// - `crop`: the centred part of the image with the target's aspect, area-averaged to the
///   target size (what the data loaders do).
/// - `pad`: the whole image area-averaged into the largest centred rectangle of its own aspect
///   that fits the target (letterboxed), the margins filled with the mean of the image's border
///   (its outermost rows and columns). A drawing on white paper gets white margins, which
///   automatic inversion then turns black with the paper; a light drawing on black gets black ones.
///
/// An image of the target's aspect (a square one for a square model) is area-averaged whole
/// under both, with exactly the same pixels.
public enum ImageFit: String, Sendable, CaseIterable {
    /// Centre-crop to the target's aspect, then area-average.
    case crop
    /// Area-average into a centred rectangle of the image's aspect, margins of its border mean.
    case pad

    /// The image fitted to `width` x `height` pixels, row by row.
    public func resized(_ image: ImageFile.Gray, toWidth width: Int, toHeight height: Int) -> [Float] {
        precondition(width >= 1 && height >= 1, "fitting to \(width)x\(height)")
        let (w, h) = (image.width, image.height)
        // Compared in integers so that equal aspects take the plain path exactly.
        let (across, down) = (w * height, h * width)
        guard across != down else {
            return ImageResampling.areaAverage(image.pixels, width: w, height: h, toWidth: width, toHeight: height)
        }
        let wider = across > down
        switch self {
        case .crop:
            // The centred window of the target's aspect: full height of a wide image, full width of a tall one.
            let cropW = wider ? ImageFit.scaled(h, by: width, over: height, limit: w) : w
            let cropH = wider ? h : ImageFit.scaled(w, by: height, over: width, limit: h)
            let (left, top) = ((w - cropW) / 2, (h - cropH) / 2)
            var window = [Float]()
            window.reserveCapacity(cropW * cropH)
            for y in top..<(top + cropH) { window += image.pixels[(y * w + left)..<(y * w + left + cropW)] }
            return ImageResampling.areaAverage(window, width: cropW, height: cropH, toWidth: width, toHeight: height)
        case .pad:
            let innerW = wider ? width : ImageFit.scaled(height, by: w, over: h, limit: width)
            let innerH = wider ? ImageFit.scaled(width, by: h, over: w, limit: height) : height
            let inner = ImageResampling.areaAverage(image.pixels, width: w, height: h, toWidth: innerW, toHeight: innerH)
            var out = [Float](repeating: ImageFit.borderMean(image), count: width * height)
            let (left, top) = ((width - innerW) / 2, (height - innerH) / 2)
            for y in 0..<innerH {
                out.replaceSubrange(((top + y) * width + left)..<((top + y) * width + left + innerW),
                                    with: inner[(y * innerW)..<((y + 1) * innerW)])
            }
            return out
        }
    }

    /// `value * numerator / denominator` rounded to the nearest whole pixel, within 1...limit.
    private static func scaled(_ value: Int, by numerator: Int, over denominator: Int, limit: Int) -> Int {
        let exact = Double(value) * Double(numerator) / Double(denominator)
        return min(limit, max(1, Int(exact.rounded())))
    }

    /// The mean of the image's outermost rows and columns, each pixel counted once.
    static func borderMean(_ image: ImageFile.Gray) -> Float {
        let (w, h, pixels) = (image.width, image.height, image.pixels)
        let edgeRows = h > 1 ? [0, h - 1] : [0], edgeColumns = w > 1 ? [0, w - 1] : [0]
        let middleRows = 1..<max(1, h - 1)
        var sum: Double = 0
        for y in edgeRows { for x in 0..<w { sum += Double(pixels[y * w + x]) } }
        for y in middleRows { for x in edgeColumns { sum += Double(pixels[y * w + x]) } }
        let count = edgeRows.count * w + middleRows.count * edgeColumns.count
        return Float(sum / Double(count))
    }
}
