import Foundation

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

    /// The most values an IDX file may declare: 1 << 30 = 1,073,741,824 bytes, which become
    /// 4 GiB of Float32 intensities (EMNIST byclass, the largest set latent knows, holds
    /// 697,932 x 784 = 547,178,688). A header declaring more, or dimensions whose product
    /// overflows, is refused before anything is allocated or inflated.
    public static let maximumValues = 1 << 30

    /// The largest IDX file read, raw or gzip-compressed, in bytes: the most values, the
    /// longest header (255 dimensions, 1,024 bytes), and room for what gzip adds to data it
    /// cannot compress (5 bytes per 65,535 in stored blocks, and its own header fields), so
    /// that every file whose header latent would accept fits. A larger file is refused by its
    /// size, from `stat`, before any of it is read.
    public static let maximumFileSize = maximumValues + maximumValues / 8192 + (1 << 20)

    /// The checked header of an unsigned-byte IDX file.
    struct Header {
        var dimensions: [Int]
        /// Bytes before the values: 4 + 4 per dimension.
        var size: Int
        /// The product of the dimensions, at most `maximumValues`.
        var valueCount: Int
    }

    /// Reads and checks the header at the start of `bytes`, or returns nil when `bytes` stop
    /// before its end (`complete`: they are the whole file, so that is an error instead).
    static func header(_ bytes: [UInt8], file: String, complete: Bool) throws -> Header? {
        guard bytes.count >= 4 else {
            guard complete else { return nil }
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
        let size = 4 + 4 * rank
        guard bytes.count >= size else {
            guard complete else { return nil }
            throw DataError(file: file, "truncated IDX header: \(bytes.count) bytes, the \(rank) dimensions need \(size)")
        }
        var dimensions: [Int] = []
        var valueCount = 1, overflow = false
        for d in 0..<rank {
            let o = 4 + 4 * d
            let dimension = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            dimensions.append(dimension)
            if !overflow { (valueCount, overflow) = valueCount.multipliedReportingOverflow(by: dimension) }
        }
        guard !overflow, valueCount <= maximumValues else {
            let shape = dimensions.shapeText(bracketed: false)
            throw DataError(file: file, "IDX header declares \(shape) values, more than the \(maximumValues) (1 GiB) latent reads; the file is corrupt")
        }
        // Images [N, rows, cols]: no model takes larger ones, so the rest need not be inflated.
        let side = Architecture.maximumImageSide
        if rank == 3, dimensions[1] > side || dimensions[2] > side {
            throw DataError(file: file, "IDX header declares images of \(dimensions[1])x\(dimensions[2]) pixels, larger than the \(side)x\(side) latent's models take")
        }
        return Header(dimensions: dimensions, size: size, valueCount: valueCount)
    }

    /// Parses the bytes of an IDX file; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws -> Array {
        let header = try header(bytes, file: file, complete: true)!  // complete: never nil
        let actual = bytes.count - header.size
        guard actual == header.valueCount else {
            let shape = header.dimensions.shapeText(bracketed: false)
            let problem = actual < header.valueCount ? "truncated" : "has trailing data"
            throw DataError(file: file, "\(problem): header says \(shape) = \(header.valueCount) values, the file holds \(actual)")
        }
        return Array(dimensions: header.dimensions, values: [UInt8](bytes[header.size...]))
    }

    /// Reads an IDX file, raw or gzip-compressed; a file larger than `maximumFileSize` is
    /// refused unread, and compressed data are inflated no further than the header's declared
    /// size.
    static func read(path: String) throws -> Array {
        let bytes = try Gzip.readPossiblyCompressed(path) { start in
            try header(start, file: path, complete: false).map { $0.size + $0.valueCount }
        }
        return try parse(bytes, file: path)
    }

    /// Reads an IDX file of images [N, rows, cols] as their bytes (0 black, 255 white).
    public static func readImages(path: String) throws -> (shape: ImageShape, pixels: [UInt8]) {
        let array = try read(path: path)
        guard array.dimensions.count == 3 else {
            let what = array.dimensions.count == 1 ? "labels (1 dimension)" : "\(array.dimensions.count) dimensions"
            throw DataError(file: path, "expected images (3 dimensions: count, rows, columns), found \(what)")
        }
        let (count, rows, columns) = (array.dimensions[0], array.dimensions[1], array.dimensions[2])
        guard count >= 1, rows >= 1, columns >= 1 else {
            throw DataError(file: path, "holds no pixels: \(count) images of \(rows)x\(columns)")
        }
        let pixels = array.values
        return (ImageShape(channels: 1, height: rows, width: columns), pixels)
    }

    /// Reads an IDX file of labels [N].
    public static func readLabels(path: String) throws -> [Int] {
        let array = try read(path: path)
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
