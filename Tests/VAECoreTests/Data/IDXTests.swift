import Foundation
import XCTest
@testable import VAECore

final class IDXTests: XCTestCase {
    private func gzip(_ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-kf", path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }

    private func writeSet(_ dir: String, images: Int = 6, side: Int = 28, compressed: Bool) throws {
        let pixels = (0..<(images * side * side)).map { UInt8($0 % 256) }
        let labels = (0..<images).map { UInt8($0 % 10) }
        for (split, count) in [("train", images), ("t10k", images / 2)] {
            let imagePath = "\(dir)/\(split)-images-idx3-ubyte", labelPath = "\(dir)/\(split)-labels-idx1-ubyte"
            _ = FileManager.default.createFile(atPath: imagePath, contents: Data(IDX.encode(dimensions: [count, side, side],
                                                                                    values: Array(pixels.prefix(count * side * side)))))
            _ = FileManager.default.createFile(atPath: labelPath, contents: Data(IDX.encode(dimensions: [count], values: Array(labels.prefix(count)))))
            if compressed {
                try gzip(imagePath); try gzip(labelPath)
                try FileManager.default.removeItem(atPath: imagePath)
                try FileManager.default.removeItem(atPath: labelPath)
            }
        }
    }

    func testRawAndGzipDirectories_LoadTheSameImagesAndLabels() throws {
        let raw = try temporaryDirectory(self), packed = try temporaryDirectory(self)
        try writeSet(raw, compressed: false)
        try writeSet(packed, compressed: true)
        let a = try DataSpec(parsing: raw).load(), b = try DataSpec(parsing: packed).load()
        XCTAssertEqual(a.train.count, 6)
        XCTAssertEqual(a.test.count, 3)
        XCTAssertEqual(a.shape, .mnist)
        XCTAssertEqual(a.train.pixels, b.train.pixels)
        XCTAssertEqual(a.train.labels, [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(b.test.labels, [0, 1, 2])
        XCTAssertEqual(a.train.image(0)[1], 1 / 255, accuracy: 1e-7)
        XCTAssertEqual(a.train.image(0)[255], 1, accuracy: 1e-7)
    }

    private func expectError(_ bytes: [UInt8], images: Bool = true, contains fragment: String,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/data-idx"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        XCTAssertThrowsError(images ? try IDX.readImages(path: path).pixels.count : try IDX.readLabels(path: path).count,
                             file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(path + ": "), message, file: file, line: line)
            XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testCorruptFiles_GiveOneClearError() throws {
        let good = IDX.encode(dimensions: [2, 3, 3], values: Array(repeating: 7, count: 18))
        try expectError(Array(good.dropLast(4)), contains: "truncated: header says 2x3x3 = 18 values, the file holds 14")
        try expectError(good + [1], contains: "trailing data")
        try expectError([0x12, 0x34, 8, 3], contains: "bad magic number")
        try expectError([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], contains: "IDX of float values")
        try expectError(Array(good.prefix(9)), contains: "truncated IDX header")
        try expectError(IDX.encode(dimensions: [4], values: [1, 2, 3, 4]), contains: "expected images")
        try expectError(good, images: false, contains: "expected labels")
        try expectError([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3], contains: "gzip")
    }

    func testHugeOrOverflowingHeaders_AreRefusedBeforeAnythingIsAllocated() throws {
        // Four dimensions of 2^32 - 1: their product overflows Int.
        let overflowing: [UInt8] = [0, 0, 8, 4] + Array(repeating: 0xFF, count: 16)
        try expectError(overflowing, contains: "IDX header declares 4294967295x4294967295x4294967295x4294967295 values, more than the 1073741824 (1 GiB) latent reads")
        try expectError([0, 0, 8, 3, 0, 1, 0, 0, 0, 0, 0x80, 0, 0, 0, 0x80, 0], contains: "65536x32768x32768 values, more than")
        // 2^30 values are read, one more is not.
        try expectError([0, 0, 8, 2, 0, 0, 0x80, 0, 0, 0, 0x80, 0], images: false, contains: "header says 32768x32768 = 1073741824 values, the file holds 0")
        try expectError([0, 0, 8, 2, 0, 0, 0x80, 1, 0, 0, 0x80, 0], images: false, contains: "32769x32768 values, more than the 1073741824 (1 GiB)")
    }

    /// An unsigned-byte IDX header declaring `dimensions`, without the values.
    private func header(_ dimensions: [Int]) -> [UInt8] {
        [0, 0, 8, UInt8(dimensions.count)] + dimensions.flatMap { d in (0..<4).reversed().map { UInt8(truncatingIfNeeded: d >> (8 * $0)) } }
    }

    // Inflated 5.3 GB for 78 s before the image size was found wrong: a 1 MB gzip of the
    // header [1, 32768, 32768] and 2^30 zeros. Sides above the largest a model takes are now
    // refused from the header.
    func testImagesLargerThanAnyModelTakes_AreRefusedFromTheHeader() throws {
        try expectError(header([1, 513, 28]), contains: "IDX header declares images of 513x28 pixels, larger than the 512x512 latent's models take")
        try expectError(header([1, 28, 513]), contains: "images of 28x513 pixels")
        try expectError(header([1, 512, 512]), contains: "header says 1x512x512 = 262144 values, the file holds 0")
        let dir = try temporaryDirectory(self)
        let path = dir + "/huge-images-idx3-ubyte"
        let bytes = header([1, 32768, 32768]) + [UInt8](repeating: 0, count: 64 << 20)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        try gzip(path)
        XCTAssertThrowsError(try IDX.readImages(path: path + ".gz")) { error in
            XCTAssertEqual("\(error)", "\(path).gz: IDX header declares images of 32768x32768 pixels, larger than the 512x512 latent's models take")
        }
    }

    /// A file larger than any IDX file latent reads is refused by its size, unread (a sparse
    /// file: it takes no disk space, and reading it would take a gigabyte).
    func testFilesLargerThanAnyIDXFile_AreRefusedUnread() throws {
        let path = try temporaryDirectory(self) + "/train-images-idx3-ubyte"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(IDX.maximumFileSize + 1))
        try handle.close()
        XCTAssertGreaterThan(IDX.maximumFileSize, IDX.maximumValues + 1024, "every file with an accepted header fits")
        XCTAssertThrowsError(try IDX.readImages(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path): \(IDX.maximumFileSize + 1) bytes, more than latent reads for an IDX file (at most \(IDX.maximumFileSize) bytes)")
        }
        try expectError(IDX.encode(dimensions: [0, 28, 28], values: []), contains: "holds no pixels: 0 images of 28x28")
    }

    func testGzipThatInflatesPastItsHeader_StopsThere() throws {
        let dir = try temporaryDirectory(self)
        // A header for 2x3x3 = 18 values, then 64 MiB of zeros.
        let path = dir + "/bomb-images-idx3-ubyte"
        var bytes = IDX.encode(dimensions: [2, 3, 3], values: Array(repeating: 0, count: 18))
        bytes += [UInt8](repeating: 0, count: 64 << 20)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        try gzip(path)
        XCTAssertThrowsError(try IDX.readImages(path: path + ".gz")) { error in
            XCTAssertEqual("\(error)", "\(path).gz: gzip data inflates past the 34 bytes its header declares; the file is corrupt")
        }
        // A header declaring more than IDX.maximumValues is refused from the first bytes inflated.
        let huge = dir + "/huge-images-idx3-ubyte"
        XCTAssertTrue(FileManager.default.createFile(atPath: huge, contents: Data([0, 0, 8, 3, 0, 1, 0, 0, 0, 0, 0x80, 0, 0, 0, 0x80, 0, 1, 2, 3])))
        try gzip(huge)
        XCTAssertThrowsError(try IDX.readImages(path: huge + ".gz")) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(huge).gz: IDX header declares 65536x32768x32768 values"), "\(error)")
        }
    }

    func testTruncatedGzip_SaysSo() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/images-idx3-ubyte"
        var rng = RandomGenerator(seed: 1)
        let values = (0..<5000).map { _ in UInt8(rng.index(below: 256)) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(IDX.encode(dimensions: [5, 25, 40], values: values)))
        try gzip(path)
        let compressed = try XCTUnwrap(FileManager.default.contents(atPath: path + ".gz"))
        _ = FileManager.default.createFile(atPath: path + ".gz", contents: compressed.prefix(compressed.count / 2))
        XCTAssertThrowsError(try IDX.readImages(path: path + ".gz")) { error in
            XCTAssertEqual("\(error)", "\(path).gz: truncated gzip data (the compressed stream ends early); download the file again")
        }
    }

    func testDataSpecs_ParseAndRefuseClearly() throws {
        XCTAssertEqual(try DataSpec(parsing: "fashion-mnist"), .fashionMNIST)
        XCTAssertEqual(try DataSpec(parsing: "synthetic:500:7"), .synthetic(trainCount: 500, seed: 7))
        XCTAssertThrowsError(try DataSpec(parsing: "/no/such/place")) { error in
            XCTAssertTrue("\(error)".contains("no such directory"), "\(error)")
        }
        XCTAssertThrowsError(try DataSpec(parsing: "synthetic:lots"))
        XCTAssertThrowsError(try DataSpec.fashionMNIST.load(fashionMNISTDirectory: "/nonexistent/fashion-mnist")) { error in
            XCTAssertEqual("\(error)", "data spec 'fashion-mnist': not installed (no /nonexistent/fashion-mnist): run `sudo apt-get install dataset-fashion-mnist`, or use synthetic data")
        }
        // The core names the data, never a flag: the command says where the spec came from.
        let file = try temporaryDirectory(self) + "/a-file"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        XCTAssertThrowsError(try DataSpec(parsing: file)) { error in
            XCTAssertEqual(error as? DataSpec.SpecError,
                           DataSpec.SpecError(spec: file, reason: "is a file; use fashion-mnist, synthetic, sprites, or a directory of IDX files or images"))
            XCTAssertFalse("\(error)".contains("--"), "\(error)")
        }
        let empty = try temporaryDirectory(self)
        XCTAssertThrowsError(try DataSpec(parsing: empty).load()) { error in
            XCTAssertTrue("\(error)".contains("no images found: expected PNG, JPEG, PGM or PPM files"), "\(error)")
        }
    }
}

final class SyntheticDigitsTests: XCTestCase {
    func testGeneration_IsDeterministicLabelledAndInRange() {
        let a = SyntheticDigits.generate(count: 200, seed: 3, name: "a")
        let b = SyntheticDigits.generate(count: 200, seed: 3, name: "b")
        let c = SyntheticDigits.generate(count: 200, seed: 4, name: "c")
        XCTAssertEqual(a.pixels, b.pixels)
        XCTAssertNotEqual(a.pixels, c.pixels)
        XCTAssertEqual(Set(a.labels!), Set(0...9))
                // Every image has ink, and not everywhere.
        for i in 0..<a.count {
            let ink = a.image(i).reduce(0, +)
            XCTAssertGreaterThan(ink, 15, "image \(i)")
            XCTAssertLessThan(ink, 400, "image \(i)")
        }
    }

    func testShuffledBatches_VisitEveryImageOncePerEpoch() {
        let data = SyntheticDigits.generate(count: 50, seed: 1, name: "s")
        var batches = ShuffledBatches(dataset: data, batchSize: 16)
        var rng = RandomGenerator(seed: 2)
        batches.shuffle(using: &rng)
        XCTAssertEqual(batches.batchesPerEpoch, 4)
        var seen: [Float] = []
        var sizes: [Int] = []
        for b in 0..<batches.batchesPerEpoch {
            batches.withBatch(b) { x, n in
                sizes.append(n)
                for row in 0..<n { seen.append(x[row * 784 ..< (row + 1) * 784].reduce(0, +)) }
            }
        }
        XCTAssertEqual(sizes, [16, 16, 16, 2])
        let expected = (0..<50).map { data.image($0).reduce(0, +) }
        XCTAssertEqual(seen.sorted(), expected.sorted())
        XCTAssertNotEqual(seen, expected, "the order is shuffled")
    }
}
