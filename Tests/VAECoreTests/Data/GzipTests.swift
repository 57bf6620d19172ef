import Foundation
import XCTest
@testable import VAECore

final class GzipTests: XCTestCase {
    /// `bytes` compressed by the system's gzip.
    private func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
        let path = try temporaryDirectory(self) + "/data"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = [path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path + ".gz")))
    }

    /// zlib takes at most 2^32 - 1 bytes of input at a time (`avail_in`): a file over 4 GiB
    /// trapped converting its size. Fed in pieces, as large files are, the output is the same.
    func testInputInPieces_InflatesToTheSameBytes() throws {
        var rng = RandomGenerator(seed: 3)
        let raw = (0..<300_000).map { i in i % 3 == 0 ? UInt8(rng.index(below: 256)) : UInt8(i % 7) }
        let compressed = try gzipped(raw)
        XCTAssertEqual(try Gzip.decompress(compressed, file: "f"), raw)
        for piece in [1, 7, 4096, compressed.count - 1] {
            XCTAssertEqual(try Gzip.decompress(compressed, file: "f", inputChunk: piece), raw, "pieces of \(piece) bytes")
        }
    }

    /// In pieces, a stream that ends early is still told from one waiting for its next piece.
    func testTruncatedInputInPieces_SaysSo() throws {
        var rng = RandomGenerator(seed: 4)
        let compressed = try gzipped((0..<50_000).map { _ in UInt8(rng.index(below: 256)) })
        for piece in [1, 7, 4096] {
            XCTAssertThrowsError(try Gzip.decompress(Array(compressed.prefix(compressed.count / 2)), file: "f", inputChunk: piece)) { error in
                XCTAssertEqual("\(error)", "f: truncated gzip data (the compressed stream ends early); download the file again")
            }
        }
    }
}
