import CZlib
import Foundation

/// Reads files that may be gzip-compressed, through zlib.
enum Gzip {
    /// True when `bytes` start with the gzip magic number 1f 8b.
    static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates a whole gzip stream; `file` names it in errors.
    ///
    /// `declaredSize` is shown the output so far after each step until it returns the total the
    /// data's own header declares (nil: not enough of the header yet; it throws to refuse the
    /// header). From then on inflating stops, with an error, as soon as the output passes that
    /// size, so a small file cannot inflate without bound. Allocates the declared size once, and
    /// a 1 MiB window. zlib counts its input in 32-bit `avail_in`, so the input is handed over
    /// in pieces of at most `inputChunk` bytes (`UInt32.max`; smaller only in tests).
    static func decompress(_ compressed: [UInt8], file: String, inputChunk: Int = Int(UInt32.max),
                           declaredSize: ([UInt8]) throws -> Int? = { _ in nil }) throws -> [UInt8] {
        precondition((1...Int(UInt32.max)).contains(inputChunk), "input chunk \(inputChunk) is not 1 to 2^32 - 1 bytes")
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header and trailer.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(file: file, "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var declared: Int?
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        try compressed.withUnsafeBufferPointer { input in
            var fed = 0  // bytes of input handed to zlib so far
            repeat {
                if stream.avail_in == 0 && fed < input.count {
                    let size = min(input.count - fed, inputChunk)
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + fed)
                    stream.avail_in = uInt(size)
                    fed += size
                }
                // Once the size is known, ask for at most one byte past it.
                let room = declared.map { min(chunk.count, $0 + 1 - output.count) } ?? chunk.count
                status = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress!
                    stream.avail_out = uInt(room)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = room - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_OK, Z_STREAM_END:
                    break
                case Z_BUF_ERROR where stream.avail_in == 0 && fed == input.count:
                    throw DataError(file: file, "truncated gzip data (the compressed stream ends early); download the file again")
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw DataError(file: file, "corrupt gzip data (\(reason)); download the file again")
                }
                if declared == nil, let size = try declaredSize(output) {
                    declared = size
                    output.reserveCapacity(size)
                }
                if let declared, output.count > declared {
                    throw DataError(file: file, "gzip data inflates past the \(declared) bytes its header declares; the file is corrupt")
                }
                if status == Z_OK && stream.avail_in == 0 && fed == input.count && stream.avail_out != 0 {
                    throw DataError(file: file, "truncated gzip data (the compressed stream ends early); download the file again")
                }
            } while status != Z_STREAM_END
        }
        return output
    }

    /// The contents of `path`, decompressed when it is gzip data (`declaredSize` as in
    /// `decompress`).
    static func readPossiblyCompressed(_ path: String, declaredSize: ([UInt8]) throws -> Int? = { _ in nil }) throws -> [UInt8] {
        let bytes = try FileBytes.read(path, expected: "an IDX file", maximumSize: IDX.maximumFileSize)
        return isCompressed(bytes) ? try decompress(bytes, file: path, declaredSize: declaredSize) : bytes
    }
}
