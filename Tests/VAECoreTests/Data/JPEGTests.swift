import Foundation
import JPEGTestSupport
import XCTest
@testable import VAECore

/// JPEG decoding against files written by an independent encoder (cjpeg), and the hostile ones
/// made from them.
final class JPEGTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try temporaryDirectory(self)
        _ = try JPEGFiles.cjpegPath()  // fails, saying how to install it, rather than skipping
    }

    private func write(_ bytes: [UInt8], _ name: String) -> String {
        let path = "\(dir)/\(name)"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    private func meanAbsoluteError(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
        return zip(a, b).reduce(0) { $0 + abs($1.0 - $1.1) } / Float(a.count)
    }

    private func readError(_ path: String) -> String {
        do {
            _ = try ImageFile.read(path: path)
            return "read without an error"
        } catch {
            return "\(error)"
        }
    }

    func testBaselineProgressiveAndGray_MatchTheSourceWithinJPEGError() throws {
        let (width, height) = (96, 64)
        let rgb = JPEGFiles.picture(width: width, height: height)
        let ppm = JPEGFiles.ppm(width: width, height: height, rgb: rgb)
        let source = ImageFile.grayscale(try Netpbm.parse(ppm, file: "source.ppm"))  // Rec. 601 luma, as PNGs are read
        let grayBytes = source.pixels.map { UInt8(($0 * 255).rounded()) }
        let files: [(name: String, jpeg: [UInt8])] = [
            ("baseline.jpg", try JPEGFiles.cjpeg(ppm, ["-quality", "95"])),
            ("progressive.jpg", try JPEGFiles.cjpeg(ppm, ["-quality", "95", "-progressive"])),
            ("gray.jpg", try JPEGFiles.cjpeg(ppm, ["-quality", "95", "-grayscale"])),
            ("from-pgm.jpeg", try JPEGFiles.cjpeg(JPEGFiles.pgm(width: width, height: height, gray: grayBytes), ["-quality", "95"])),
            ("gray-progressive.JPG", try JPEGFiles.cjpeg(ppm, ["-quality", "95", "-grayscale", "-progressive"])),
        ]
        XCTAssertTrue(files[1].jpeg.windowContains([0xFF, 0xC2]), "cjpeg -progressive writes SOF2")
        XCTAssertFalse(files[0].jpeg.windowContains([0xFF, 0xC2]), "and plain cjpeg a baseline SOF0")
        for (name, jpeg) in files {
            let image = try ImageFile.read(path: write(jpeg, name))
            XCTAssertEqual(image.width, width, name)
            XCTAssertEqual(image.height, height, name)
            XCTAssertLessThan(meanAbsoluteError(image.pixels, source.pixels), 3 / 255, name)
        }
        // Colour out, for the colour pipeline: RGB of a YCbCr file near the source's, a gray
        // file's three channels equal.
        let colour = try JPEG.decode(files[0].jpeg, file: "baseline.jpg", channels: 3)
        XCTAssertEqual(colour.samples.count, width * height * 3)
        XCTAssertLessThan(meanAbsoluteError(colour.samples.map { Float($0) / 255 }, rgb.map { Float($0) / 255 }), 3 / 255)
        let gray = try JPEG.decode(files[2].jpeg, file: "gray.jpg", channels: 3)
        for i in stride(from: 0, to: gray.samples.count, by: 3) {
            XCTAssertEqual(gray.samples[i], gray.samples[i + 1])
            XCTAssertEqual(gray.samples[i], gray.samples[i + 2])
        }
    }

    func testTruncatedFiles_AreErrorsNotGreyPadding() throws {
        let ppm = JPEGFiles.ppm(width: 96, height: 64, rgb: JPEGFiles.picture(width: 96, height: 64))
        for arguments in [["-quality", "95"], ["-progressive"]] {
            let jpeg = try JPEGFiles.cjpeg(ppm, arguments)
            // libjpeg itself only warns about these and fills the rest with grey.
            let path = write(Array(jpeg.prefix(jpeg.count * 6 / 10)), "cut.jpg")
            XCTAssertEqual(readError(path), "\(path): truncated or corrupt JPEG (the file ends before its image data does)", "\(arguments)")
        }
        let whole = try JPEGFiles.cjpeg(ppm)
        let headerOnly = write(Array(whole.prefix(300)), "header-only.jpg")
        XCTAssertTrue(readError(headerOnly).hasPrefix("\(headerOnly): "), readError(headerOnly))
        let four = write(Array(whole.prefix(4)), "four-bytes.jpg")
        XCTAssertTrue(readError(four).hasPrefix("\(four): unreadable JPEG ("), readError(four))
    }

    func testCMYKAndYCCK_AreRefusedFromTheHeader() throws {
        let jpeg = try JPEGFiles.cjpeg(JPEGFiles.ppm(width: 32, height: 32, rgb: JPEGFiles.picture(width: 32, height: 32)))
        let cmyk = write(try JPEGFiles.adobeFourComponent(jpeg, transform: 0), "cmyk.jpg")
        XCTAssertEqual(readError(cmyk), "\(cmyk): a CMYK JPEG, which latent does not read; save it as an RGB JPEG or a PNG")
        let ycck = write(try JPEGFiles.adobeFourComponent(jpeg, transform: 2), "ycck.jpg")
        XCTAssertEqual(readError(ycck), "\(ycck): a YCCK (Adobe CMYK) JPEG, which latent does not read; save it as an RGB JPEG or a PNG")
    }

    func testAHugeDeclaredSize_IsRefusedBeforeDecoding() throws {
        let jpeg = try JPEGFiles.cjpeg(JPEGFiles.ppm(width: 32, height: 32, rgb: JPEGFiles.picture(width: 32, height: 32)))
        let bomb = write(try JPEGFiles.declaring(width: 30000, height: 30000, jpeg), "bomb.jpg")
        XCTAssertEqual(readError(bomb), "\(bomb): 30000x30000 pixels is more than the 67108864 (8192x8192) latent reads; scale the image down first")
        let empty = write(try JPEGFiles.declaring(width: 0, height: 32, jpeg), "empty.jpg")
        XCTAssertTrue(readError(empty).hasPrefix("\(empty): unreadable JPEG ("), readError(empty))
        // Just under the limit, with the data of a 32x32 image: decoding runs out of data at once.
        let tall = write(try JPEGFiles.declaring(width: 8000, height: 8000, jpeg), "tall.jpg")
        XCTAssertTrue(readError(tall).hasPrefix("\(tall): truncated or corrupt JPEG ("), readError(tall))
    }

    func testANonJPEGNamedJPG_IsNamedAsSuch() throws {
        let text = write(Array("hello\n".utf8), "photo.jpg")
        XCTAssertEqual(readError(text), "\(text): not a JPEG image (a JPEG starts with the bytes FF D8 FF)")
        let other = write(Array("hello\n".utf8), "photo.bin")
        XCTAssertEqual(readError(other), "\(other): not a PNG, JPEG, PGM or PPM image")
        // The bytes decide, not the name: a PNG named .jpg reads.
        let png = "\(dir)/really-a-png.jpg"
        try ImageFile.write(ImageFile.Gray(width: 2, height: 1, pixels: [0, 1]), to: "\(dir)/a.png")
        try FileManager.default.moveItem(atPath: "\(dir)/a.png", toPath: png)
        XCTAssertEqual(try ImageFile.read(path: png).pixels, [0, 1])
    }

    /// Four flat quadrants of a 64 x 48 picture as seen upright (top-left, top-right,
    /// bottom-left, bottom-right), and for each orientation the quadrants as the file stores
    /// them, worked out by hand from the Exif definitions (6: the stored top row is the
    /// picture's right side, read downwards; 8: its left side, read upwards).
    func testExifOrientation_StandsThePictureUpright() throws {
        let (a, b, c, d): (UInt8, UInt8, UInt8, UInt8) = (230, 30, 100, 170)
        let stored: [Int: [UInt8]] = [
            1: [a, b, c, d], 2: [b, a, d, c], 3: [d, c, b, a], 4: [c, d, a, b],
            5: [a, c, b, d], 6: [b, d, a, c], 7: [d, b, c, a], 8: [c, a, d, b],
        ]
        let (width, height) = (64, 48)
        for orientation in 1...8 {
            let quadrants = stored[orientation]!
            let (w, h) = orientation >= 5 ? (height, width) : (width, height)
            var gray = [UInt8](repeating: 0, count: w * h)
            for y in 0..<h { for x in 0..<w { gray[y * w + x] = quadrants[(y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1)] } }
            let plain = try JPEGFiles.cjpeg(JPEGFiles.pgm(width: w, height: h, gray: gray), ["-quality", "95"])
            let jpeg = JPEGFiles.withOrientation(UInt16(orientation), bigEndian: orientation % 2 == 0, plain)
            let image = try ImageFile.read(path: write(jpeg, "o\(orientation).jpg"))
            XCTAssertEqual([image.width, image.height], [width, height], "orientation \(orientation)")
            guard image.width == width else { continue }
            // The centre of each upright quadrant.
            for (k, expected) in [a, b, c, d].enumerated() {
                let (x, y) = (k % 2 == 0 ? 16 : 48, k < 2 ? 12 : 36)
                XCTAssertEqual(image.pixels[y * width + x] * 255, Float(expected), accuracy: 4,
                               "orientation \(orientation), quadrant \(k)")
            }
        }
    }

    func testExif_MalformedSegmentsReadAsNormal() throws {
        let plain = try JPEGFiles.cjpeg(JPEGFiles.pgm(width: 16, height: 8, gray: [UInt8](repeating: 9, count: 128)))
        for bigEndian in [false, true] {
            XCTAssertEqual(ExifOrientation.of(jpeg: JPEGFiles.withOrientation(6, bigEndian: bigEndian, plain)), .rotated90Clockwise)
            XCTAssertEqual(ExifOrientation.of(jpeg: JPEGFiles.withOrientation(0, bigEndian: bigEndian, plain)), .normal)
            XCTAssertEqual(ExifOrientation.of(jpeg: JPEGFiles.withOrientation(9, bigEndian: bigEndian, plain)), .normal)
        }
        XCTAssertEqual(ExifOrientation.of(jpeg: plain), .normal)
        // TIFF structures after "Exif\0\0": little-endian, IFD0 at 8, one entry.
        let good: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 3, 0, 0, 0]
        XCTAssertEqual(ExifOrientation.parse(tiff: good[...]), .rotated180)
        var cases: [(String, [UInt8])] = [
            ("empty", []),
            ("byte order only", [0x49, 0x49]),
            ("bad byte order", [0x49, 0x4D] + good.dropFirst(2)),
            ("not 42", [0x49, 0x49, 43] + good.dropFirst(3)),
            ("cut in the entry", Array(good.prefix(good.count - 5))),
            ("cut in the count", Array(good.prefix(9))),
        ]
        var far = good; far[4...7] = [0xFF, 0xFF, 0xFF, 0xFF]; cases.append(("IFD0 past the end", far))
        var many = good; many[8...9] = [0xFF, 0xFF]; cases.append(("65535 entries in 22 bytes", many))
        var long = good; long[12] = 4; cases.append(("a LONG", long))
        var two = good; two[14] = 2; cases.append(("two values", two))
        var other = good; other[10] = 0x13; cases.append(("another tag", other))
        for (what, tiff) in cases { XCTAssertNil(ExifOrientation.parse(tiff: tiff[...]), what) }
        // A segment whose length runs past the file, or is less than its own two bytes.
        let segment = JPEGFiles.withOrientation(3, bigEndian: false, plain)
        XCTAssertEqual(ExifOrientation.of(jpeg: Array(segment.prefix(30))), .normal)
        var short = segment; short[4...5] = [0, 1]
        XCTAssertEqual(ExifOrientation.of(jpeg: short), .normal)
        var huge = segment; huge[4...5] = [0xFF, 0xFF]
        XCTAssertEqual(ExifOrientation.of(jpeg: huge), .normal)
    }

    func testScaleDenominator_IsTheSmallestScaleStillAsLargeAsTheTarget() {
        let square = [(width: 1000, height: 1000), (500, 500), (250, 250), (125, 125)]
        XCTAssertEqual(JPEG.scaleDenominator(scaled: square, target: (28, 28)), 8)
        XCTAssertEqual(JPEG.scaleDenominator(scaled: square, target: (125, 125)), 8)
        XCTAssertEqual(JPEG.scaleDenominator(scaled: square, target: (126, 28)), 4)
        XCTAssertEqual(JPEG.scaleDenominator(scaled: square, target: (300, 300)), 2)
        XCTAssertEqual(JPEG.scaleDenominator(scaled: square, target: (501, 64)), 1)
        let small = [(width: 30, height: 20), (15, 10), (8, 5), (4, 3)]
        XCTAssertEqual(JPEG.scaleDenominator(scaled: small, target: (28, 28)), 1)
    }

    /// A textured picture, to be decoded whole or at 1/8 and fitted to 28 x 28.
    private func photo(width: Int, height: Int) -> [UInt8] {
        var rgb = JPEGFiles.picture(width: width, height: height)
        for i in 0..<rgb.count { rgb[i] = rgb[i] &+ UInt8((i * 2654435761 >> 7) % 24) }  // grain
        return rgb
    }

    func testDCTScaling_GivesTheSamePictureAsFullDecodingThenAreaAveraging() throws {
        let (width, height) = (480, 360)
        let jpeg = try JPEGFiles.cjpeg(JPEGFiles.ppm(width: width, height: height, rgb: photo(width: width, height: height)),
                                       ["-quality", "90"])
        let path = write(jpeg, "photo.jpg")
        let whole = try ImageFile.read(path: path)
        let reduced = try ImageFile.read(path: path, toFitWidth: 28, height: 28)
        XCTAssertEqual([reduced.image.width, reduced.image.height], [60, 45], "decoded at 1/8")
        XCTAssertEqual([reduced.fullWidth, reduced.fullHeight], [width, height])
        for fit in ImageFit.allCases {
            let fast = fit.resized(reduced.image, toWidth: 28, toHeight: 28)
            let exact = fit.resized(whole, toWidth: 28, toHeight: 28)
            XCTAssertLessThan(meanAbsoluteError(fast, exact), 1.5 / 255, "\(fit)")
            XCTAssertLessThan(zip(fast, exact).map { abs($0 - $1) }.max()!, 8 / 255, "\(fit)")
        }
        // A target of another shape than the image: 1/4 keeps 120 x 90 above 100 x 50.
        XCTAssertEqual(try ImageFile.read(path: path, toFitWidth: 100, height: 50).image.width, 120)
        XCTAssertEqual(try ImageFile.read(path: path, toFitWidth: 480, height: 360).image.width, 480)
        // Lying on its side (orientation 6), the upright image is 360 x 480: 1/8 gives 45 x 60,
        // which covers 40 x 58, though the stored 60 x 45 would not.
        let sideways = write(JPEGFiles.withOrientation(6, bigEndian: true, jpeg), "sideways.jpg")
        let upright = try ImageFile.read(path: sideways, toFitWidth: 40, height: 58)
        XCTAssertEqual([upright.image.width, upright.image.height], [45, 60])
        XCTAssertEqual([upright.fullWidth, upright.fullHeight], [height, width])
    }

    func testAFolderOfJPEGsAndPNGs_LoadsAsData() throws {
        let (width, height) = (120, 90)
        for i in 0..<6 {
            var rgb = JPEGFiles.picture(width: width, height: height)
            for k in stride(from: 0, to: rgb.count, by: 3) { rgb[k] = rgb[k] &+ UInt8(i * 20) }
            let ppm = JPEGFiles.ppm(width: width, height: height, rgb: rgb)
            if i == 5 {
                try Netpbm.parse(ppm, file: "5.ppm").write(to: "\(dir)/5.png")
            } else {
                _ = write(try JPEGFiles.cjpeg(ppm, i % 2 == 0 ? [] : ["-progressive"]), i == 0 ? "0.JPEG" : "\(i).jpg")
            }
        }
        XCTAssertEqual(try DataSpec(parsing: dir), .imageDirectory(dir))
        // Colour photos larger than 64 pixels a side are fitted to 64x64 in colour.
        let split = try DataSpec(parsing: dir).load()
        XCTAssertEqual(split.shape, ImageShape(channels: 3, height: 64, width: 64))
        XCTAssertEqual(split.train.count, 5)
        XCTAssertEqual(split.test.count, 1)
        XCTAssertEqual(try DataSpec(parsing: dir).load(options: DataOptions(channels: 1)).shape, .mnist, "or gray on request")
        // Sizes may differ: a JPEG of another size is fitted the same way.
        _ = write(try JPEGFiles.cjpeg(JPEGFiles.ppm(width: 240, height: 180, rgb: JPEGFiles.picture(width: 240, height: 180))), "6.jpg")
        XCTAssertEqual(try DataSpec(parsing: dir).load().train.count, 6)
    }

    #if !DEBUG
    /// Decode time of a 1000 x 1000 photo fitted to 28 x 28, whole and through DCT scaling. In
    /// release only: `swift test -c release -Xswiftc -enable-testing --filter JPEGTests`.
    func testDecodeSpeed_DCTScalingOnAMegapixelPhoto() throws {
        let side = 1000
        let jpeg = try JPEGFiles.cjpeg(JPEGFiles.ppm(width: side, height: side, rgb: photo(width: side, height: side)),
                                       ["-quality", "90"])
        let path = write(jpeg, "photo.jpg")
        func perImage(_ read: () throws -> Void) rethrows -> Double {
            try read()  // warm
            let runs = 40
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<runs { try read() }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(runs)
        }
        let wholeDecode = try perImage { _ = try ImageFile.read(path: path) }
        let scaledDecode = try perImage { _ = try ImageFile.read(path: path, toFitWidth: 28, height: 28) }
        let whole = try perImage { _ = ImageFile.prepared(try ImageFile.read(path: path), for: .mnist, fit: .crop) }
        let scaled = try perImage {
            _ = ImageFile.prepared(try ImageFile.read(path: path, toFitWidth: 28, height: 28).image, for: .mnist, fit: .crop)
        }
        print(String(format: "1000x1000 JPEG (%d bytes), per image: read %.2f ms whole, %.2f ms at 1/8 (DCT scaling); "
                     + "read and fitted to 28x28 %.2f ms whole, %.2f ms at 1/8", jpeg.count, wholeDecode, scaledDecode, whole, scaled))
        XCTAssertLessThan(scaled, whole / 2)
    }
    #endif
}

private extension Array where Element == UInt8 {
    func windowContains(_ pattern: [UInt8]) -> Bool {
        guard count >= pattern.count else { return false }
        return (0...(count - pattern.count)).contains { self[$0..<($0 + pattern.count)].elementsEqual(pattern) }
    }
}
