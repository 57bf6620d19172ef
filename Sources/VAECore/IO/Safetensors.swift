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

    static let maximumHeaderSize = 100_000_000
    static let bytesPerElement = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2]

    /// Reads and validates a whole file.
    public static func read(path: String) throws -> File {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw CheckpointError(file: path, !exists ? "no such file" : isDirectory.boolValue ? "is a directory, expected a .safetensors file" : "cannot be read")
        }
        return try parse([UInt8](data), file: path)
    }

    /// Parses the bytes of a safetensors file; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws -> File {
        func fail(_ problem: String) -> CheckpointError { CheckpointError(file: file, problem) }
        guard bytes.count >= 8 else {
            throw fail("truncated: \(bytes.count) bytes, shorter than the 8-byte header length")
        }
        var headerLength = 0
        for i in (0..<8).reversed() { headerLength = headerLength << 8 | Int(bytes[i]) }
        guard headerLength > 0, headerLength <= maximumHeaderSize else {
            throw fail("not a safetensors file: header length \(headerLength) is implausible")
        }
        guard 8 + headerLength <= bytes.count else {
            throw fail("truncated: the header needs \(headerLength) bytes, only \(bytes.count - 8) follow")
        }
        let headerBytes = Data(bytes[8..<(8 + headerLength)])
        guard let json = try? JSONSerialization.jsonObject(with: headerBytes),
              let header = json as? [String: Any] else {
            throw fail("bad header: not a JSON object")
        }
        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var spans: [(name: String, begin: Int, end: Int)] = []
        var tensors: [String: Tensor] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let entries = value as? [String: Any] else { throw fail("bad header: __metadata__ is not an object") }
                for (key, item) in entries {
                    guard let text = item as? String else { throw fail("bad header: metadata '\(key)' is not a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let entry = value as? [String: Any],
                  let dtype = entry["dtype"] as? String,
                  let shapeValues = entry["shape"] as? [Any],
                  let offsetValues = entry["data_offsets"] as? [Any], offsetValues.count == 2 else {
                throw fail("bad header: tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            let shape = try shapeValues.map { item -> Int in
                guard let number = item as? NSNumber, number.intValue >= 0,
                      Double(number.intValue) == number.doubleValue else {
                    throw fail("bad header: tensor '\(name)' has a shape that is not a list of sizes")
                }
                return number.intValue
            }
            let offsets = try offsetValues.map { item -> Int in
                guard let number = item as? NSNumber, number.intValue >= 0 else {
                    throw fail("bad header: tensor '\(name)' has bad data_offsets")
                }
                return number.intValue
            }
            guard let width = bytesPerElement[dtype] else {
                throw fail("tensor '\(name)' has dtype \(dtype); supported: F32, F64, F16, BF16")
            }
            let (begin, end) = (offsets[0], offsets[1])
            let count = shape.reduce(1, *)
            guard begin <= end, end - begin == count * width else {
                throw fail("bad header: tensor '\(name)' of shape \(shape) \(dtype) needs \(count * width) bytes, its offsets span \(end - begin)")
            }
            guard end <= dataLength else {
                throw fail("truncated: tensor '\(name)' ends at byte \(end) of the data, which has only \(dataLength)")
            }
            spans.append((name, begin, end))
            tensors[name] = Tensor(shape: shape, storage: decode(bytes, from: dataStart + begin, count: count, dtype: dtype))
        }
        spans.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var position = 0
        for span in spans {
            guard span.begin == position else {
                throw fail(span.begin < position ? "bad header: tensor '\(span.name)' overlaps the one before it"
                                                 : "bad header: a gap of \(span.begin - position) bytes before tensor '\(span.name)'")
            }
            position = span.end
        }
        guard position == dataLength else {
            throw fail("\(dataLength - position) bytes of data after the last tensor")
        }
        return File(tensors: tensors, order: spans.map(\.name), metadata: metadata)
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

    /// Encodes tensors (as F32, in the given order) and metadata as safetensors bytes.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) throws -> [UInt8] {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, tensor) in tensors {
            precondition(name != "__metadata__", "a tensor cannot be named __metadata__")
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + 4 * tensor.count]] as [String: Any]
            offset += 4 * tensor.count
        }
        var json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        while json.count % 8 != 0 { json.append(0x20) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: json)
        for (_, tensor) in tensors {
            tensor.storage.withUnsafeBufferPointer { values in
                for value in values {
                    var bits = value.bitPattern.littleEndian
                    withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
                }
            }
        }
        return bytes
    }

    /// Writes tensors and metadata to `path` atomically: a temporary file in the same directory,
    /// flushed to disk, then renamed over the target. An existing file is never left half-written.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String], to path: String) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: path)
    }
}
