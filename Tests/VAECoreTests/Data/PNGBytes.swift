/// PNG files built byte by byte, with stored (uncompressed) zlib data, so that the PNG tests
/// neither write through the code they test nor depend on an encoder's choices.
enum PNGBytes {
    /// A whole file: signature, IHDR, `chunks` (gAMA, PLTE, tRNS...), one IDAT of the
    /// `samples` (row by row, `channels` to a pixel, each at `bitDepth`), IEND.
    /// Colour types: 0 grey, 2 RGB, 3 palette, 4 grey and alpha, 6 RGBA.
    static func file(width: Int, height: Int, bitDepth: Int, colourType: Int, interlaced: Bool = false,
                     chunks: [(String, [UInt8])] = [], samples: [Int]) -> [UInt8] {
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colourType]!
        precondition(samples.count == width * height * channels, "\(samples.count) samples for \(width)x\(height)x\(channels)")
        let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
            + [UInt8(bitDepth), UInt8(colourType), 0, 0, interlaced ? 1 : 0]
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
        for (type, data) in chunks { file += chunk(type, data) }
        let data = scanlines(width: width, height: height, channels: channels, bitDepth: bitDepth,
                             samples: samples, interlaced: interlaced)
        return file + chunk("IDAT", zlibStored(data)) + chunk("IEND", [])
    }

    /// Filter byte 0 and the packed samples of each row; with `interlaced`, of each row of each
    /// Adam7 pass (passes with no pixels have no rows).
    static func scanlines(width: Int, height: Int, channels: Int, bitDepth: Int, samples: [Int], interlaced: Bool) -> [UInt8] {
        let passes = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        var out: [UInt8] = []
        for (x0, y0, dx, dy) in passes {
            let xs = Array(stride(from: x0, to: width, by: dx)), ys = Array(stride(from: y0, to: height, by: dy))
            guard !xs.isEmpty else { continue }
            for y in ys {
                out.append(0)
                var bits = 0, filled = 0
                for x in xs {
                    for c in 0..<channels {
                        let value = samples[(y * width + x) * channels + c]
                        if bitDepth == 16 {
                            out += [UInt8(value >> 8), UInt8(value & 0xFF)]
                        } else {
                            bits = bits << bitDepth | value
                            filled += bitDepth
                            if filled == 8 { out.append(UInt8(bits)); (bits, filled) = (0, 0) }
                        }
                    }
                }
                if filled > 0 { out.append(UInt8(bits << (8 - filled))) }
            }
        }
        return out
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    /// A zlib stream of stored deflate blocks (at most 65535 bytes each).
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + 65535, data.count)
            let length = UInt16(end - start)
            out += [end == data.count ? 1 : 0, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += data[start..<end]
            start = end
        } while start < data.count
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return out + bigEndian(b << 16 | a)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
