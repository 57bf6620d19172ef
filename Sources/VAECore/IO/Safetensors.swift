import Foundation

#if canImport(Glibc)
import Glibc
#endif

// reference: https://github.com/huggingface/safetensors (format section of its README)

/// The safetensors file format, read and written by this project's own code.
///
/// Layout: an 8-byte little-endian header length N; N bytes of JSON mapping each tensor name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` plus an optional `"__metadata__"` object
/// of string values; then the tensor bytes, little-endian, offsets relative to the end of the
/// header. Tensors are read as Float32 from F32, F64, F16 and BF16.
public enum Safetensors {
    /// A file's tensors and metadata.
    public struct File {
        /// Tensors by name.
        public var tensors: [String: Tensor]
        /// Tensor names in the order of their data in the file.
        public var order: [String]
        /// The `__metadata__` strings.
        public var metadata: [String: String]
    }

    /// Longest header accepted, in bytes.
    static let maximumHeaderSize = 100_000_000
    /// The largest file read: a header and the weights of the largest model latent builds
    /// (`Architecture.maximumParameters`) in F64.
    static let maximumFileSize = 8 + maximumHeaderSize + 8 * Architecture.maximumParameters
    /// Deepest JSON nesting accepted in a header; a valid one needs 3 (file, tensor, shape).
    static let maximumNesting = 16
    /// Most dimensions a tensor may have; latent's own have at most 4 (convolution weights).
    static let maximumRank = 8
    static let bytesPerElement = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2]

    /// Reads and validates a whole file.
    public static func read(path: String) throws -> File {
        try parse(FileBytes.read(path, expected: "a .safetensors file", maximumSize: maximumFileSize), file: path)
    }

    /// One tensor's entry in the header, checked against the file's size.
    private struct Entry {
        var name: String
        var dtype: String
        var shape: [Int]
        var count: Int
        var begin: Int
        var end: Int
    }

    /// Parses the bytes of a safetensors file; `file` names it in errors.
    ///
    /// Every size is checked before it is used: the header length against the file, each
    /// shape's rank (at most 8, so that messages stay short), its element count and byte count
    /// for overflow, each tensor's offsets against its shape and the data, and the tensors
    /// must tile the data exactly (no gaps, overlaps or bytes left over). Only then are the values decoded, so a header cannot make this
    /// allocate more than the file's own data (twice it for F16 and BF16).
    public static func parse(_ bytes: [UInt8], file: String) throws -> File {
        func fail(_ problem: String) -> CheckpointError { CheckpointError(file: file, problem) }
        guard bytes.count >= 8 else {
            throw fail("truncated: \(bytes.count) bytes, shorter than the 8-byte header length")
        }
        var declaredLength: UInt64 = 0
        for i in (0..<8).reversed() { declaredLength = declaredLength << 8 | UInt64(bytes[i]) }
        guard declaredLength > 0, declaredLength <= UInt64(maximumHeaderSize) else {
            throw fail("not a safetensors file: header length \(declaredLength) is implausible")
        }
        let headerLength = Int(declaredLength)
        guard headerLength <= bytes.count - 8 else {
            throw fail("truncated: the header needs \(headerLength) bytes, only \(bytes.count - 8) follow")
        }
        let headerBytes = bytes[8..<(8 + headerLength)]
        guard nestingDepth(of: headerBytes, limit: maximumNesting) <= maximumNesting else {
            throw fail("bad header: JSON nested more than \(maximumNesting) levels deep")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(headerBytes)),
              let header = json as? [String: Any] else {
            throw fail("bad header: not a JSON object")
        }
        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        entries.reserveCapacity(header.count)
        for (name, value) in header {
            let quoted = CheckpointError.excerpt(name)
            if name == "__metadata__" {
                guard let items = value as? [String: Any] else { throw fail("bad header: __metadata__ is not an object") }
                for (key, item) in items {
                    guard let text = item as? String else {
                        throw fail("bad header: metadata '\(CheckpointError.excerpt(key))' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            guard let entry = value as? [String: Any],
                  let dtype = entry["dtype"] as? String,
                  let shapeValues = entry["shape"] as? [Any],
                  let offsetValues = entry["data_offsets"] as? [Any], offsetValues.count == 2 else {
                throw fail("bad header: tensor '\(quoted)' lacks dtype, shape or data_offsets")
            }
            guard let width = bytesPerElement[dtype] else {
                throw fail("tensor '\(quoted)' has dtype \(CheckpointError.excerpt(dtype, limit: 20)); supported: F32, F64, F16, BF16")
            }
            guard shapeValues.count <= maximumRank else {
                throw fail("bad header: tensor '\(quoted)' has \(shapeValues.count) dimensions, more than the \(maximumRank) latent reads")
            }
            var shape: [Int] = []
            shape.reserveCapacity(shapeValues.count)
            for item in shapeValues {
                guard let size = size(item) else {
                    throw fail("bad header: tensor '\(quoted)' has a shape that is not a list of sizes")
                }
                shape.append(size)
            }
            guard let begin = size(offsetValues[0]), let end = size(offsetValues[1]) else {
                throw fail("bad header: tensor '\(quoted)' has bad data_offsets")
            }
            var count = 1
            for size in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: size)
                guard !overflow else {
                    throw fail("bad header: tensor '\(quoted)' has shape \(shape.shapeText()), too many elements to count")
                }
                count = product
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: width)
            guard !overflow else {
                throw fail("bad header: tensor '\(quoted)' of shape \(shape.shapeText()) \(dtype) needs more bytes than a file can hold")
            }
            guard begin <= end, end - begin == byteCount else {
                throw fail("bad header: tensor '\(quoted)' of shape \(shape.shapeText()) \(dtype) needs \(byteCount) bytes, its offsets \(begin)...\(end) span \(end - begin)")
            }
            guard end <= dataLength else {
                throw fail("truncated: tensor '\(quoted)' ends at byte \(end) of the data, which has only \(dataLength)")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, count: count, begin: begin, end: end))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var position = 0
        for entry in entries {
            guard entry.begin == position else {
                let quoted = CheckpointError.excerpt(entry.name)
                throw fail(entry.begin < position ? "bad header: tensor '\(quoted)' overlaps the one before it"
                                                  : "bad header: a gap of \(entry.begin - position) bytes before tensor '\(quoted)'")
            }
            position = entry.end
        }
        guard position == dataLength else {
            throw fail("\(dataLength - position) bytes of data after the last tensor")
        }
        // The tensors tile the data exactly: decoding them all allocates at most 4 bytes per byte of data.
        var tensors: [String: Tensor] = [:]
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            tensors[entry.name] = Tensor(shape: entry.shape,
                                         storage: decode(bytes, from: dataStart + entry.begin, count: entry.count, dtype: entry.dtype))
        }
        return File(tensors: tensors, order: entries.map(\.name), metadata: metadata)
    }

    /// A JSON number that is a whole number from 0 to Int.max, or nil (negative, fractional,
    /// too large, or not a number).
    private static func size(_ item: Any) -> Int? {
        guard item is NSNumber, let value = item as? Int, value >= 0 else { return nil }
        return value
    }

    /// How deeply JSON arrays and objects nest in `bytes`, counting brackets outside strings;
    /// stops counting once past `limit`. The JSON parser recurses per level, so a header of
    /// nothing but `[[[[...` must be refused before it is parsed.
    static func nestingDepth(of bytes: ArraySlice<UInt8>, limit: Int) -> Int {
        var (depth, deepest) = (0, 0)
        var (inString, escaped) = (false, false)
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > deepest {
                    deepest = depth
                    if deepest > limit { return deepest }
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    private static func decode(_ bytes: [UInt8], from start: Int, count: Int, dtype: String) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + start
            switch dtype {
            case "F32":
                for i in 0..<count {
                    values[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
            case "F64":
                for i in 0..<count {
                    values[i] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
            case "F16":
                for i in 0..<count {
                    values[i] = Float(Float16(bitPattern: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
                }
            default: // BF16: the top half of a Float32
                for i in 0..<count {
                    let half = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    values[i] = Float(bitPattern: UInt32(half) << 16)
                }
            }
        }
        return values
    }

    /// A tensor of any dtype as its little-endian bytes, for files other than checkpoints
    /// (`latent export-data`'s uint8 images and int64 labels).
    public struct RawTensor {
        public var name: String
        /// The safetensors dtype: "F32", "U8", "I64", ...
        public var dtype: String
        public var shape: [Int]
        public var bytes: [UInt8]

        public init(name: String, dtype: String, shape: [Int], bytes: [UInt8]) {
            (self.name, self.dtype, self.shape, self.bytes) = (name, dtype, shape, bytes)
        }

        /// A float tensor as F32.
        public init(name: String, tensor: Tensor) {
            var bytes = [UInt8]()
            bytes.reserveCapacity(4 * tensor.count)
            tensor.storage.withUnsafeBufferPointer { values in
                for value in values {
                    var bits = value.bitPattern.littleEndian
                    withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
                }
            }
            self.init(name: name, dtype: "F32", shape: tensor.shape, bytes: bytes)
        }
    }

    /// Encodes tensors (as F32, in the given order) and metadata as safetensors bytes.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) throws -> [UInt8] {
        try encode(raw: tensors.map { RawTensor(name: $0.name, tensor: $0.tensor) }, metadata: metadata)
    }

    /// Encodes tensors of any dtype, in the given order, and metadata as safetensors bytes.
    public static func encode(raw tensors: [RawTensor], metadata: [String: String]) throws -> [UInt8] {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for tensor in tensors {
            precondition(tensor.name != "__metadata__", "a tensor cannot be named __metadata__")
            header[tensor.name] = ["dtype": tensor.dtype, "shape": tensor.shape,
                                   "data_offsets": [offset, offset + tensor.bytes.count]] as [String: Any]
            offset += tensor.bytes.count
        }
        var json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        while json.count % 8 != 0 { json.append(0x20) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: json)
        for tensor in tensors { bytes.append(contentsOf: tensor.bytes) }
        return bytes
    }

    /// Writes tensors and metadata to `path` atomically: a temporary file in the same directory,
    /// flushed to disk, then renamed over the target. An existing file is never left half-written.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String], to path: String) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: path)
    }
}
