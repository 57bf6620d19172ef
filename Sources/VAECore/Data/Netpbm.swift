import Foundation

/// The Netpbm formats: PGM (P2 plain, P5 binary) and PPM (P3 plain, P6 binary), read as gray
/// and colour pictures and written from them.
enum Netpbm {
    /// Whether `bytes` start like a PGM or PPM file.
    static func recognises(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == UInt8(ascii: "P") && [UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"), UInt8(ascii: "6")].contains(bytes[1])
    }

    /// The grey of a colour pixel, each sample already divided by its maximum: Rec. 601 luma,
    /// what JPEG's Y and PIL's convert("L") are. CPNGReader's png_reader.c computes the same, in
    /// the same order, so PNG and PPM agree; `ImageFile.grayscale` uses it for every colour file.
    @inline(__always)
    static func luma(red: Float, green: Float, blue: Float) -> Float {
        0.299 * red + 0.587 * green + 0.114 * blue
    }

    /// Parses a PGM (a gray picture) or a PPM (a colour one, planar) with 8- or 16-bit samples;
    /// each sample reads as its value over the header's maximum.
    ///
    /// The declared size is checked before anything is allocated: against
    /// `ImageFile.maximumPixels`, then against the bytes the file holds (binary: the exact bytes
    /// needed; plain: at least two bytes a value, a digit and a separator). Allocates the
    /// intensities only.
    static func parse(_ bytes: [UInt8], file: String) throws -> Picture {
        let magic = bytes.count >= 2 ? bytes[1] : 0
        let colour = magic == UInt8(ascii: "3") || magic == UInt8(ascii: "6")
        let binary = magic == UInt8(ascii: "5") || magic == UInt8(ascii: "6")
        let kind = colour ? "PPM" : "PGM"
        var index = 2
        func skipSpaceAndComments() {
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "#") {
                    while index < bytes.count && bytes[index] != 10 { index += 1 }
                } else if bytes[index] == 32 || (9...13).contains(bytes[index]) {
                    index += 1
                } else {
                    return
                }
            }
        }
        // A decimal number of at most 9 digits (a longer one is refused, not split in two).
        func number() -> Int? {
            skipSpaceAndComments()
            var value = 0, digits = 0
            while index < bytes.count, (48...57).contains(bytes[index]) {
                guard digits < 9 else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
                digits += 1
                index += 1
            }
            return digits > 0 ? value : nil
        }
        guard let width = number(), let height = number(), let maximum = number() else {
            throw DataError(file: file, "bad \(kind) header")
        }
        guard width > 0, height > 0, maximum > 0, maximum < 65536 else {
            throw DataError(file: file, "bad \(kind) header: \(width)x\(height), maximum \(maximum)")
        }
        try ImageFile.checkSize(width: width, height: height, file: file)
        let pixelCount = width * height  // at most ImageFile.maximumPixels: no overflow below
        let count = pixelCount * (colour ? 3 : 1)
        let scale = Float(maximum)
        if binary {
            index += 1  // the single whitespace after the maximum
            let sampleBytes = maximum > 255 ? 2 : 1
            let present = max(0, bytes.count - index)
            guard present >= count * sampleBytes else {
                throw DataError(file: file, "truncated \(kind): \(count * sampleBytes) bytes of pixels expected, \(present) found")
            }
            var pixels = [Float](repeating: 0, count: count)
            pixels.withUnsafeMutableBufferPointer { out in
                bytes.withUnsafeBufferPointer { raw in
                    let body = raw.baseAddress! + index
                    @inline(__always) func sample(_ i: Int) -> Float {
                        let value = sampleBytes == 2 ? Int(body[2 * i]) << 8 | Int(body[2 * i + 1]) : Int(body[i])
                        return Float(min(value, maximum)) / scale
                    }
                    if colour {
                        for i in 0..<pixelCount {
                            for c in 0..<3 { out[c * pixelCount + i] = sample(3 * i + c) }
                        }
                    } else {
                        for i in 0..<pixelCount { out[i] = sample(i) }
                    }
                }
            }
            return Picture(width: width, height: height, channels: colour ? 3 : 1, pixels: pixels)
        }
        // Plain: every value but the last needs a digit and a separator.
        let present = max(0, bytes.count - index)
        guard present >= 2 * count - 1 else {
            throw DataError(file: file, "truncated \(kind): \(count) values need at least \(2 * count - 1) bytes, \(present) found")
        }
        var pixels = [Float](repeating: 0, count: count)
        var read = 0
        func value() throws -> Float {
            guard let value = number() else {
                throw DataError(file: file, index < bytes.count ? "corrupt \(kind): a bad value at byte \(index)"
                                                                : "truncated \(kind): \(count) values expected, \(read) found")
            }
            read += 1
            return Float(min(value, maximum)) / scale
        }
        try pixels.withUnsafeMutableBufferPointer { out in
            for i in 0..<pixelCount {
                for c in 0..<(colour ? 3 : 1) { out[c * pixelCount + i] = try value() }
            }
        }
        return Picture(width: width, height: height, channels: colour ? 3 : 1, pixels: pixels)
    }
}
