import Foundation
import JPEGTestSupport
import XCTest
import VAECore

/// Image files and folders as people have them: decompression bombs refused from the header
/// under a memory limit, files named like options, hidden files and nested class folders.
final class ImageInputTests: CommandTestCase {
    private var dir = ""
    private var model = ""

    override func setUpWithError() throws {
        dir = try temporaryDirectory()
        model = try trainSmallModel(dir + "/m.safetensors")
    }

    /// The address space the bomb tests give latent. Measured on a 2-core machine with
    /// `ulimit -v`: a debug `latent interpolate` of a 28x28 PNG needs about 250 MB with one
    /// OpenBLAS thread (400 MB with two: OpenBLAS reserves a buffer a thread, so the tests pin
    /// one). A decoded 20000x20000 image needs 1.6 GB as floats, and the short 8192x8192 PPMs
    /// below 768 MB of samples when allocated before the file's length is checked.
    static let memoryLimitMB = 768

    /// Runs latent under `ulimit -v`, killing it after two minutes (out of memory, glibc can
    /// spin rather than fail).
    private func latentWithMemoryLimit(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v \(Self.memoryLimitMB * 1024) && exec \"$0\" \"$@\"", Self.binary.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = environment
        // Files rather than pipes: a crash report could fill a pipe and stall the child.
        let (outPath, errPath) = (dir + "/stdout.txt", dir + "/stderr.txt")
        XCTAssertTrue(FileManager.default.createFile(atPath: outPath, contents: nil))
        XCTAssertTrue(FileManager.default.createFile(atPath: errPath, contents: nil))
        let (out, err) = (FileHandle(forWritingAtPath: outPath)!, FileHandle(forWritingAtPath: errPath)!)
        defer { try? out.close(); try? err.close() }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            XCTFail("latent \(arguments) still running after 120 s under a \(Self.memoryLimitMB) MB limit")
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    private func write(_ bytes: [UInt8], to name: String) -> String {
        let path = dir + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func testDecompressionBombs_AreRefusedFromTheHeaderUnderAMemoryLimit() throws {
        // The limit leaves room for a normal run.
        let picture = dir + "/picture.png"
        try ImageFile.write(ImageFile.Gray(width: 28, height: 28, pixels: (0..<784).map { Float($0 % 28) / 27 }), to: picture)
        let normal = try latentWithMemoryLimit(["interpolate", picture, "0", "--model", model, "--out", dir + "/s.png"])
        XCTAssertEqual(normal.status, 0, normal.stderr)

        let bomb = write(Self.blackPNG(width: 20000, height: 20000), to: "bomb.png")
        let pixels = JPEGFiles.ppm(width: 16, height: 16, rgb: JPEGFiles.picture(width: 16, height: 16))
        let smallJPEG = try JPEGFiles.cjpeg(pixels), smallProgressiveJPEG = try JPEGFiles.cjpeg(pixels, ["-progressive"])
        XCTAssertLessThan(try XCTUnwrap(FileManager.default.attributesOfItem(atPath: bomb)[.size] as? Int), 400_000)
        let cases: [(String, String)] = [
            (bomb, "\(bomb): 20000x20000 pixels is more than the 67108864 (8192x8192) latent reads; scale the image down first"),
            (write(Array("P5\n20000 20000\n255\n".utf8) + [0, 0, 0], to: "bomb.pgm"), "bomb.pgm: 20000x20000 pixels is more than"),
            (write(try JPEGFiles.declaring(width: 30000, height: 30000, smallJPEG), to: "bomb.jpg"), "bomb.jpg: 30000x30000 pixels is more than"),
            // At the limit, a progressive file's coefficients are allocated before its data runs out.
            (write(try JPEGFiles.declaring(width: 8192, height: 8192, smallProgressiveJPEG), to: "short.jpg"),
             "short.jpg: truncated or corrupt JPEG ("),
            (write(Array("P6\n8192 8192\n255\n".utf8) + [UInt8](repeating: 0, count: 100), to: "short.ppm"),
             "short.ppm: truncated PPM: 201326592 bytes of pixels expected, 100 found"),
            (write(Array("P3\n8192 8192\n255\n0 0 0\n".utf8), to: "plain.ppm"),
             "plain.ppm: truncated PPM: 201326592 values need at least 402653183 bytes, 7 found"),
        ]
        for (file, message) in cases {
            let result = try latentWithMemoryLimit(["interpolate", file, "0", "--model", model, "--out", dir + "/s.png"])
            XCTAssertEqual(result.status, 2, "\(file): \(result.stderr.prefix(300))")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains(message), "'\(result.stderr.prefix(300))' lacks '\(message)'")
        }
    }

    func testAFileNamedLikeAnOption_GoesAfterDoubleDash() throws {
        let file = "-shoe.png"
        try ImageFile.write(ImageFile.Gray(width: 28, height: 28, pixels: (0..<784).map { Float($0 % 5) / 4 }), to: dir + "/" + file)
        let result = try latent(["interpolate", "--model", model, "--out", "s.png", "--", file, "0"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("wrote s.png: 9 frames from -shoe.png to #0"), result.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/s.png"))
        // Without --, a name such as -x.png reads as options; the one line says what to do.
        try FileManager.default.copyItem(atPath: dir + "/" + file, toPath: dir + "/-x.png")
        let hinted = try latent(["interpolate", "-x.png", "0", "--model", model, "--out", "s.png"], in: dir)
        XCTAssertEqual(hinted.status, 2)
        XCTAssertTrue(hinted.stderr.contains("to name the file -x.png, put it after -- (or write ./-x.png)"), hinted.stderr)
        XCTAssertEqual(hinted.stderr.split(separator: "\n").count, 1)
    }

    func testAWideImage_IsLetterboxedOrCropped() throws {
        // 56 x 28: dark grey with a white stripe in the left quarter, which cropping cuts away.
        let wide = dir + "/wide.png"
        try ImageFile.write(ImageFile.Gray(width: 56, height: 28, pixels: (0..<(56 * 28)).map { (4..<10).contains($0 % 56) ? 1 : 0.3 }),
                            to: wide)
        /// The first image of the cross-fade row: the fitted file, 28 x 28 at scale 2 after a gap of 2.
        func fitted(_ arguments: [String]) throws -> [Float] {
            let result = try latent(["interpolate", wide, "0", "--model", model, "--out", dir + "/s.png"] + arguments)
            XCTAssertEqual(result.status, 0, result.stderr)
            let picture = try ImageFile.read(path: dir + "/s.png")
            return (0..<28).flatMap { y in (0..<28).map { x in picture.pixels[(60 + 2 * y) * picture.width + 2 + 2 * x] } }
        }
        let padded = try fitted([])
        XCTAssertEqual(try fitted(["--fit", "pad"]), padded, "letterboxed by default")
        // The border: 152 pixels of grey (77 as a byte) and 12 of the stripe, at the top and bottom.
        let borderMean = ((152 * 77 / 255 + 12) / 164 * 255 as Float).rounded()
        XCTAssertEqual(padded[0..<(7 * 28)].map { ($0 * 255).rounded() }, [Float](repeating: borderMean, count: 7 * 28),
                       "margins above the picture, of its border's mean")
        XCTAssertGreaterThan(padded[14 * 28 + 3], 0.9, "the stripe, squeezed with the rest")
        let cropped = try fitted(["--fit", "crop"])
        XCTAssertLessThan(cropped.max()!, 0.5, "the centre only: no stripe")
        try assertBadInput(["interpolate", wide, "0", "--model", model, "--out", dir + "/s.png", "--fit", "stretch"],
                           "The value 'stretch' is invalid for '--fit <fit>'. Please provide one of 'crop' and 'pad'.")
    }

    func testAFolderWithNestedClassesAndHiddenFiles_Evaluates() throws {
        let data = dir + "/photos"
        for folder in ["bags/old", "coats", "coats/.ipynb_checkpoints", ".ipynb_checkpoints"] {
            try FileManager.default.createDirectory(atPath: "\(data)/\(folder)", withIntermediateDirectories: true)
        }
        for (i, folder) in ["bags", "bags/old", "bags/old", "coats", "coats", "coats"].enumerated() {
            let pixels = (0..<784).map { Float(($0 + i) % 9) / 8 }
            try ImageFile.write(ImageFile.Gray(width: 28, height: 28, pixels: pixels), to: "\(data)/\(folder)/\(i).png")
        }
        for junk in [".DS_Store", "._0.png", "coats/._3.png", "coats/.ipynb_checkpoints/3-checkpoint.png", ".ipynb_checkpoints/x.png"] {
            _ = write(Array("not a picture".utf8), to: "photos/\(junk)")
        }
        let result = try latent(["eval", "--model", model, "--data", data])
        XCTAssertEqual(result.status, 0, result.stderr)
        // An image beside the class folders is named, not dropped.
        try ImageFile.write(ImageFile.Gray(width: 28, height: 28, pixels: [Float](repeating: 0, count: 784)), to: data + "/loose.png")
        try assertBadInput(["eval", "--model", model, "--data", data], "\(data)/bags/0.png: is in a class folder, but \(data)/loose.png is not")
    }

    /// An all-black 1-bit greyscale PNG, compressed as deflate does a run of zeros (a literal,
    /// then copies of 258 bytes at distance 1 in fixed Huffman codes: 13 bits per 258 bytes).
    static func blackPNG(width: Int, height: Int) -> [UInt8] {
        let rawCount = height * (1 + (width + 7) / 8)  // a filter byte and the packed row
        var bits = BitWriter()
        bits.write(1, count: 1)  // BFINAL
        bits.write(1, count: 2)  // BTYPE 01: fixed Huffman codes
        bits.writeCode(0x30, count: 8)  // literal 0
        var left = rawCount - 1
        while left >= 258 {
            bits.writeCode(0xC5, count: 8)  // length 258 (symbol 285)
            bits.writeCode(0, count: 5)  // distance 1 (code 0)
            left -= 258
        }
        for _ in 0..<left { bits.writeCode(0x30, count: 8) }
        bits.writeCode(0, count: 7)  // end of block (symbol 256)
        bits.flush()
        // Adler-32 of zeros: a stays 1, b counts the bytes.
        let adler = UInt32(rawCount % 65521) << 16 | 1
        let zlib = [0x78, 0x01] + bits.bytes + bigEndian(adler)
        let ihdr = bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [1, 0, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", zlib) + chunk("IEND", [])
    }

    /// Deflate's bit order: values from the least significant bit, Huffman codes from the most.
    private struct BitWriter {
        var bytes: [UInt8] = []
        private var pending: UInt32 = 0
        private var pendingCount = 0

        mutating func write(_ value: UInt32, count: Int) {
            for i in 0..<count { push(value >> i & 1) }
        }

        mutating func writeCode(_ code: UInt32, count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { push(code >> i & 1) }
        }

        mutating func flush() {
            if pendingCount > 0 { bytes.append(UInt8(pending)) }
            (pending, pendingCount) = (0, 0)
        }

        private mutating func push(_ bit: UInt32) {
            pending |= bit << pendingCount
            pendingCount += 1
            if pendingCount == 8 { flush() }
        }
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in body {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return bigEndian(UInt32(data.count)) + body + bigEndian(~crc)
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
