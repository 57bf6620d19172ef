import Foundation

/// The Netpbm formats: PGM (P2 plain, P5 binary) and PPM (P3 plain, P6 binary), read as
/// grayscale and written from it.
enum Netpbm {
    /// Whether `bytes` start like a PGM or PPM file.
    static func recognises(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == UInt8(ascii: "P") && [UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"), UInt8(ascii: "6")].contains(bytes[1])
    }

    /// Parses a PGM or PPM with 8- or 16-bit samples; colour becomes luma (Rec. 601 weights).
    static func parse(_ bytes: [UInt8], file: String) throws -> ImageFile.Gray {
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
        func number() -> Int? {
            skipSpaceAndComments()
            var value = 0, digits = 0
            while index < bytes.count, (48...57).contains(bytes[index]), digits < 9 {
                value = value * 10 + Int(bytes[index] - 48)
                digits += 1
                index += 1
            }
            return digits > 0 ? value : nil
        }
        guard let width = number(), let height = number(), let maximum = number() else {
            throw DataError(file: file, "bad \(kind) header")
        }
        guard width > 0, height > 0, width * height <= 1 << 28, maximum > 0, maximum < 65536 else {
            throw DataError(file: file, "bad \(kind) header: \(width)x\(height), maximum \(maximum)")
        }
        let channels = colour ? 3 : 1
        let count = width * height * channels
        var samples = [Float](repeating: 0, count: count)
        if binary {
            index += 1  // the single whitespace after the maximum
            let sampleBytes = maximum > 255 ? 2 : 1
            guard bytes.count - index >= count * sampleBytes else {
                throw DataError(file: file, "truncated \(kind): \(count * sampleBytes) bytes of pixels expected, \(max(0, bytes.count - index)) found")
            }
            bytes.withUnsafeBufferPointer { raw in
                let body = raw.baseAddress! + index
                for i in 0..<count {
                    let value = sampleBytes == 2 ? Int(body[2 * i]) << 8 | Int(body[2 * i + 1]) : Int(body[i])
                    samples[i] = Float(min(value, maximum)) / Float(maximum)
                }
            }
        } else {
            for i in 0..<count {
                guard let value = number() else {
                    throw DataError(file: file, "truncated \(kind): \(count) values expected, \(i) found")
                }
                samples[i] = Float(min(value, maximum)) / Float(maximum)
            }
        }
        guard colour else { return ImageFile.Gray(width: width, height: height, pixels: samples) }
        var pixels = [Float](repeating: 0, count: width * height)
        for i in pixels.indices {
            let (red, green, blue) = (samples[3 * i], samples[3 * i + 1], samples[3 * i + 2])
            pixels[i] = 0.299 * red + 0.587 * green + 0.114 * blue
        }
        return ImageFile.Gray(width: width, height: height, pixels: pixels)
    }

    /// A binary PGM (P5), or a binary PPM (P6) with the grey in all three channels.
    static func encode(_ image: ImageFile.Gray, colour: Bool) -> [UInt8] {
        var bytes = Array("\(colour ? "P6" : "P5")\n\(image.width) \(image.height)\n255\n".utf8)
        let levels = ImageFile.bytes(image)
        if colour {
            bytes.reserveCapacity(bytes.count + 3 * levels.count)
            for level in levels { bytes += [level, level, level] }
        } else {
            bytes += levels
        }
        return bytes
    }
}
