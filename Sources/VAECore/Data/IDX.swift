/// The IDX format of MNIST, Fashion-MNIST, KMNIST and EMNIST, raw or gzip-compressed.
///
/// Layout: two zero bytes, a type byte (0x08 = unsigned byte), a dimension count, then each
/// dimension as a big-endian UInt32, then the values. Images are [N, rows, cols], labels [N].
public enum IDX {
    /// The decoded header and values of an unsigned-byte IDX file.
    public struct Array {
        public var dimensions: [Int]
        public var values: [UInt8]
    }

    static let typeNames: [UInt8: String] = [
        0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "16-bit integer",
        0x0C: "32-bit integer", 0x0D: "float", 0x0E: "double",
    ]

    /// Parses the bytes of an IDX file; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws -> Array {
        guard bytes.count >= 4 else {
            throw DataError(file: file, "not an IDX file: \(bytes.count) bytes is shorter than the 4-byte header")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(file: file, "not an IDX file: bad magic number (expected 00 00 at the start)")
        }
        guard bytes[2] == 0x08 else {
            let name = typeNames[bytes[2]].map { "\($0) values" } ?? "unknown value type 0x\(String(bytes[2], radix: 16))"
            throw DataError(file: file, "IDX of \(name), expected unsigned bytes (images or labels)")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw DataError(file: file, "IDX with no dimensions") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DataError(file: file, "truncated IDX header: \(bytes.count) bytes, the \(rank) dimensions need \(headerSize)")
        }
        var dimensions: [Int] = []
        for d in 0..<rank {
            let o = 4 + 4 * d
            dimensions.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        let expected = dimensions.reduce(1, *)
        let actual = bytes.count - headerSize
        guard actual == expected else {
            let shape = dimensions.map(String.init).joined(separator: "x")
            let problem = actual < expected ? "truncated" : "has trailing data"
            throw DataError(file: file, "\(problem): header says \(shape) = \(expected) values, the file holds \(actual)")
        }
        return Array(dimensions: dimensions, values: [UInt8](bytes[headerSize...]))
    }

    /// Reads an IDX file of images [N, rows, cols] as intensities in [0, 1].
    public static func readImages(path: String) throws -> (shape: ImageShape, pixels: [Float]) {
        let array = try parse(Gzip.readPossiblyCompressed(path), file: path)
        guard array.dimensions.count == 3 else {
            let what = array.dimensions.count == 1 ? "labels (1 dimension)" : "\(array.dimensions.count) dimensions"
            throw DataError(file: path, "expected images (3 dimensions: count, rows, columns), found \(what)")
        }
        let pixels = array.values.map { Float($0) * (1 / 255) }
        return (ImageShape(channels: 1, height: array.dimensions[1], width: array.dimensions[2]), pixels)
    }

    /// Reads an IDX file of labels [N].
    public static func readLabels(path: String) throws -> [Int] {
        let array = try parse(Gzip.readPossiblyCompressed(path), file: path)
        guard array.dimensions.count == 1 else {
            throw DataError(file: path, "expected labels (1 dimension), found \(array.dimensions.count) dimensions")
        }
        return array.values.map(Int.init)
    }

    /// Encodes values as an unsigned-byte IDX file (for tests and exports).
    public static func encode(dimensions: [Int], values: [UInt8]) -> [UInt8] {
        precondition(dimensions.reduce(1, *) == values.count, "IDX dimensions \(dimensions) do not match \(values.count) values")
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions {
            bytes += [UInt8(truncatingIfNeeded: d >> 24), UInt8(truncatingIfNeeded: d >> 16),
                      UInt8(truncatingIfNeeded: d >> 8), UInt8(truncatingIfNeeded: d)]
        }
        return bytes + values
    }
}
