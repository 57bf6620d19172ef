import Foundation
import XCTest
@testable import VAECore

final class ImageFileTests: XCTestCase {
    var fixture: String { Bundle.module.path(forResource: "dark-ring-on-white", ofType: "png", inDirectory: "Fixtures")! }

    func testPNG_ReadsAsGrayscale() throws {
        let image = try ImageFile.read(path: fixture)
        XCTAssertEqual(image.width, 40)
        XCTAssertEqual(image.height, 30)
        XCTAssertGreaterThan(image.pixels[0], 0.95, "white page")
        XCTAssertLessThan(image.pixels[15 * 40 + 11], 0.2, "dark ring at (11, 15)")
    }

    func testPrepared_ResizesAndInvertsADarkDrawingOnLightPaper() throws {
        let image = try ImageFile.read(path: fixture)
        let automatic = ImageFile.prepared(image, for: .mnist, fit: .crop)
        XCTAssertEqual(automatic.count, 784)
        XCTAssertLessThan(automatic[0], 0.05, "the page became the dark background")
        XCTAssertGreaterThan(automatic.max()!, 0.7, "the ring became light")
        let never = ImageFile.prepared(image, for: .mnist, fit: .crop, inversion: .never)
        XCTAssertGreaterThan(never[0], 0.95)
        XCTAssertEqual(ImageFile.prepared(image, for: .mnist, fit: .crop, inversion: .always), automatic)
    }

    func testNetpbm_PlainBinarySixteenBitAndColour() throws {
        let binary = Array("P5\n# a comment\n3 2\n255\n".utf8) + [0, 128, 255, 255, 128, 0]
        let a = try Netpbm.parse(binary, file: "a.pgm")
        XCTAssertEqual(a.width, 3)
        XCTAssertEqual(a.pixels, [0, 128 / 255, 1, 1, 128 / 255, 0])
        let plain = Array("P2 2 2 4\n0 1\n2 4\n".utf8)
        XCTAssertEqual(try Netpbm.parse(plain, file: "b.pgm").pixels, [0, 0.25, 0.5, 1])
        let wide = Array("P5 2 1 1000\n".utf8) + [0x01, 0xF4, 0x03, 0xE8]
        XCTAssertEqual(try Netpbm.parse(wide, file: "w.pgm").pixels, [0.5, 1])
        // Colour stays colour, in planes, and becomes luma as gray: pure red, green and blue, then white.
        let colour = Array("P6\n4 1\n255\n".utf8) + [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]
        let picture = try Netpbm.parse(colour, file: "c.ppm")
        XCTAssertEqual(picture.channels, 3)
        XCTAssertEqual(picture.pixels, [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1])
        let grey = ImageFile.grayscale(picture).pixels
        XCTAssertEqual(grey[0], 0.299, accuracy: 1e-6)
        XCTAssertEqual(grey[1], 0.587, accuracy: 1e-6)
        XCTAssertEqual(grey[2], 0.114, accuracy: 1e-6)
        XCTAssertEqual(grey[3], 1, accuracy: 1e-6)
        XCTAssertEqual(try Netpbm.parse(Array("P3 1 1 255 255 255 255".utf8), file: "d.ppm").pixels[0], 1, accuracy: 1e-6)
        XCTAssertThrowsError(try Netpbm.parse(Array("P5\n3 2\n255\n".utf8) + [1, 2], file: "e.pgm")) { error in
            XCTAssertTrue("\(error)".hasPrefix("e.pgm: truncated PGM"), "\(error)")
        }
        XCTAssertThrowsError(try Netpbm.parse(Array("P6\n2 2\n".utf8), file: "f.ppm")) { error in
            XCTAssertEqual("\(error)", "f.ppm: bad PPM header")
        }
    }

    func testWrite_ChoosesTheFormatByExtensionAndReadsBack() throws {
        let dir = try temporaryDirectory(self)
        let image = ImageFile.Gray(width: 3, height: 2, pixels: [0, 0.2, 0.4, 0.6, 0.8, 1])
        for name in ["a.png", "b.pgm", "c.ppm", "D.PNG"] {
            try ImageFile.write(image, to: "\(dir)/\(name)")
            let back = try ImageFile.read(path: "\(dir)/\(name)")
            XCTAssertEqual(back.width, 3, name)
            for (x, y) in zip(back.pixels, image.pixels) { XCTAssertEqual(x, y, accuracy: 0.5 / 255 + 1e-6, name) }
        }
        let header = try XCTUnwrap(FileManager.default.contents(atPath: "\(dir)/c.ppm")).prefix(11)
        XCTAssertEqual(String(decoding: header, as: UTF8.self), "P6\n3 2\n255\n")
        XCTAssertThrowsError(try ImageFile.write(image, to: "\(dir)/e.gif")) { error in
            XCTAssertEqual("\(error)", "\(dir)/e.gif: cannot write .gif files; name it .png, .jpg, .pgm or .ppm")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/e.gif"))
    }

    /// A 5x3 picture's 8-bit levels (odd sides, so that Adam7 has short passes).
    private let levels = (0..<15).map { ($0 * 37 + 11) % 256 }

    private func read(_ bytes: [UInt8], _ name: String) throws -> [Float] {
        let path = try temporaryDirectory(self) + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return try ImageFile.read(path: path).pixels
    }

    func testPNG_SixteenBitReadsItsStoredValues_AsEightBitAndPGMDo() throws {
        let expected = levels.map { Float($0) / 255 }
        let eight = PNGBytes.file(width: 5, height: 3, bitDepth: 8, colourType: 0, samples: levels)
        // gAMA 1/2.2: stored values are read as they are, so it changes nothing.
        let sixteen = PNGBytes.file(width: 5, height: 3, bitDepth: 16, colourType: 0,
                                    chunks: [("gAMA", PNGBytes.bigEndian(45455))], samples: levels.map { $0 * 257 })
        let interlaced = PNGBytes.file(width: 5, height: 3, bitDepth: 16, colourType: 0, interlaced: true,
                                       samples: levels.map { $0 * 257 })
        let pgm = Array("P5\n5 3\n65535\n".utf8) + levels.flatMap { [UInt8($0), UInt8($0)] }  // v * 257 = v << 8 | v
        XCTAssertEqual(try read(eight, "8.png"), expected)
        XCTAssertEqual(try read(sixteen, "16.png"), expected)
        XCTAssertEqual(try read(interlaced, "16i.png"), expected)
        XCTAssertEqual(try read(pgm, "16.pgm"), expected)
        // 50% grey: libpng's simplified API made it 186/255 (16 bits taken as linear light).
        let half = try read(PNGBytes.file(width: 1, height: 1, bitDepth: 16, colourType: 0, samples: [32768]), "half.png")
        XCTAssertEqual(half[0], 32768 / 65535)
    }

    func testPNG_ColourReadsAsPPMDoes_AndAlphaIsIgnored() throws {
        let rgb = (0..<45).map { ($0 * 53 + 7) % 256 }
        let ppm = try read(Array("P6\n5 3\n65535\n".utf8) + rgb.flatMap { [UInt8($0), UInt8($0)] }, "16.ppm")
        XCTAssertEqual(try read(PNGBytes.file(width: 5, height: 3, bitDepth: 16, colourType: 2, samples: rgb.map { $0 * 257 }), "16.png"), ppm)
        XCTAssertEqual(try read(PNGBytes.file(width: 5, height: 3, bitDepth: 8, colourType: 2, interlaced: true, samples: rgb), "8i.png"), ppm)
        XCTAssertEqual(try read(Array("P3 5 3 255 ".utf8) + Array(rgb.map(String.init).joined(separator: " ").utf8), "8.ppm"), ppm)
        // Transparent pixels read as the colour stored under them, as PIL's convert("L") reads them.
        let rgba = (0..<15).flatMap { (i: Int) -> [Int] in Array(rgb[3 * i ..< 3 * i + 3]) + [i % 2 * 255] }
        XCTAssertEqual(try read(PNGBytes.file(width: 5, height: 3, bitDepth: 8, colourType: 6, samples: rgba), "a.png"), ppm)
        let greyAlpha = levels.flatMap { (level: Int) -> [Int] in [level, 0] }
        XCTAssertEqual(try read(PNGBytes.file(width: 5, height: 3, bitDepth: 8, colourType: 4, samples: greyAlpha), "ga.png"),
                       levels.map { Float($0) / 255 })
        // A 2-bit palette with transparency, and 1-bit grey.
        let palette: [UInt8] = [0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 255, 255]
        let indexed = try read(PNGBytes.file(width: 4, height: 1, bitDepth: 2, colourType: 3,
                                             chunks: [("PLTE", palette), ("tRNS", [0, 128])], samples: [0, 1, 2, 3]), "p.png")
        XCTAssertEqual(indexed, [0, Netpbm.luma(red: 1, green: 0, blue: 0), Netpbm.luma(red: 0, green: 1, blue: 0), Netpbm.luma(red: 1, green: 1, blue: 1)])
        XCTAssertEqual(try read(PNGBytes.file(width: 3, height: 2, bitDepth: 1, colourType: 0, interlaced: true,
                                              samples: [1, 0, 1, 0, 1, 1]), "1.png"), [1, 0, 1, 0, 1, 1])
    }

    /// Colour pictures: tiles keep their planes, PPM holds the exact RGB bytes, PGM the
    /// luminance, and the PNG is an 8-bit RGB one that reads back as the same picture's gray.
    func testColourPictures_KeepTheirChannels() throws {
        // Two 1x2 colour tiles: red over green, blue over white.
        let images: [[Float]] = [[1, 0, 0, 1, 0, 0], [0, 1, 0, 1, 1, 1]]
        let picture = Picture.tiled(images, shape: ImageShape(channels: 3, height: 2, width: 1), columns: 2, gap: 0)
        XCTAssertEqual([picture.width, picture.height, picture.channels], [2, 2, 3])
        XCTAssertEqual(picture.pixels, [1, 0, 0, 1,  0, 0, 1, 1,  0, 1, 0, 1])
        let ppm = picture.netpbmData(colour: true)
        XCTAssertEqual(Array(ppm.suffix(12)), [255, 0, 0,  0, 0, 255,  0, 255, 0,  255, 255, 255])
        let pgm = picture.netpbmData(colour: false)
        XCTAssertEqual(Array(pgm.suffix(4)), [54, 18, 182, 255])
        let png = try picture.pngData()
        // IHDR: width 2, height 2, bit depth 8, colour type 2 (RGB).
        XCTAssertEqual(Array(png[16..<26]), [0, 0, 0, 2, 0, 0, 0, 2, 8, 2])
        let dir = try temporaryDirectory(self)
        try picture.write(to: dir + "/c.png")
        let gray = try ImageFile.read(path: dir + "/c.png")
        let expected: [Float] = [Netpbm.luma(red: 1, green: 0, blue: 0), Netpbm.luma(red: 0, green: 0, blue: 1),
                                 Netpbm.luma(red: 0, green: 1, blue: 0), 1]
        for (read, want) in zip(gray.pixels, expected) { XCTAssertEqual(read, want, accuracy: 1.5 / 255) }
    }

    /// JPEG out: a colour and a gray picture decode back within JPEG's error.
    func testJPEGPictures_DecodeBackCloseToThemselves() throws {
        let side = 32, plane = side * side
        let colour = Picture(width: side, height: side, channels: 3, pixels: (0..<(3 * plane)).map { i in
            let (channel, x, y) = (i / plane, i % side, i % plane / side)
            return [Float(x) / Float(side), Float(y) / Float(side), 0.6][channel]
        })
        let decoded = try JPEG.decode(colour.jpegData(), file: "c.jpg", channels: 3)
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [side, side, 3])
        let original = colour.interleavedBytes()
        let error = zip(decoded.samples, original).map { abs(Int($0) - Int($1)) }.reduce(0, +) / original.count
        XCTAssertLessThanOrEqual(error, 3, "mean error in levels")
        let dir = try temporaryDirectory(self)
        try Picture(width: side, height: side, channels: 1, pixels: Array(colour.pixels.prefix(plane))).write(to: dir + "/g.jpeg")
        let gray = try ImageFile.read(path: dir + "/g.jpeg")
        XCTAssertEqual(zip(gray.pixels, colour.pixels).map { abs($0 - $1) }.reduce(0, +) / Float(plane), 0, accuracy: 3 / 255)
    }

    /// `tiledSize` is the size of the picture `Picture.tiled` makes, which commands check before they
    /// decode anything; the tiles land where it says.
    func testTiledSize_IsThatOfThePicture() {
        let images: [[Float]] = [[0, 0.1, 0.2, 0.3], [1, 1, 1, 1], [0.4, 0.5, 0.6, 0.7]]
        let picture = Picture.tiled(images, shape: ImageShape(height: 2, width: 2), columns: 2, scale: 2, gap: 1)
        let size = ImageFile.tiledSize(count: 3, width: 2, height: 2, columns: 2, scale: 2, gap: 1)
        XCTAssertEqual([size.width, size.height], [11, 11])
        XCTAssertEqual([picture.width, picture.height], [size.width, size.height])
        func pixel(_ x: Int, _ y: Int) -> Float { picture.pixels[y * picture.width + x] }
        XCTAssertEqual([pixel(0, 0), pixel(1, 1), pixel(2, 1), pixel(3, 1), pixel(4, 4)], [0.5, 0, 0, 0.1, 0.3])
        XCTAssertEqual([pixel(6, 1), pixel(9, 4), pixel(1, 6), pixel(4, 9), pixel(6, 6)], [1, 1, 0.4, 0.7, 0.5])
        XCTAssertEqual(ImageFile.tiledSize(count: 225, width: 512, height: 512, columns: 15, scale: 2).width, 15 * 1024 + 16 * 2)
    }

    func testSizesOverTheLimit_AreRefusedFromTheHeader() throws {
        let dir = try temporaryDirectory(self)
        func header(_ width: Int, _ height: Int) -> [UInt8] {
            let ihdr = PNGBytes.bigEndian(UInt32(width)) + PNGBytes.bigEndian(UInt32(height)) + [1, 0, 0, 0, 0]
            return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + PNGBytes.chunk("IHDR", ihdr) + PNGBytes.chunk("IEND", [])
        }
        let cases: [(String, [UInt8], String)] = [
            // No pixel data at all: the size is refused before decoding would find that out.
            ("bomb.png", header(20000, 20000), "20000x20000 pixels is more than the 67108864 (8192x8192) latent reads; scale the image down first"),
            ("wide.png", header(8193, 8192), "8193x8192 pixels is more than the 67108864"),
            ("limit.png", header(8192, 8192), "truncated or corrupt PNG"),
            ("bomb.pgm", Array("P5\n20000 20000\n255\n".utf8) + [0], "20000x20000 pixels is more than"),
            ("short.ppm", Array("P6\n8192 8192\n255\n".utf8) + [0, 0, 0], "truncated PPM: 201326592 bytes of pixels expected, 3 found"),
            ("plain.pgm", Array("P2\n8192 8192\n255\n0 0 0\n".utf8), "truncated PGM: 67108864 values need at least 134217727 bytes, 7 found"),
            ("long.pgm", Array("P5\n4294967297 1\n255\n".utf8), "bad PGM header"),
            ("bad.pgm", Array("P2\n2 1\n255\n0 x\n".utf8), "corrupt PGM: a bad value at byte 13"),
        ]
        for (name, bytes, message) in cases {
            let path = "\(dir)/\(name)"
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            XCTAssertThrowsError(try ImageFile.read(path: path), name) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(path): \(message)"), "\(error)")
            }
        }
        XCTAssertEqual(ImageFile.maximumPixels, 8192 * 8192)
    }

    func testBadFiles_GiveOneClearError() throws {
        let dir = try temporaryDirectory(self)
        let png = try XCTUnwrap(FileManager.default.contents(atPath: fixture))
        let cases: [(String, Data, String)] = [
            ("truncated.png", png.prefix(png.count / 2), "truncated or corrupt PNG"),
            ("notes.txt", Data("hello".utf8), "not a PNG, JPEG, PGM or PPM image"),
        ]
        for (name, data, fragment) in cases {
            let path = "\(dir)/\(name)"
            _ = FileManager.default.createFile(atPath: path, contents: data)
            XCTAssertThrowsError(try ImageFile.read(path: path)) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(path): "), "\(error)")
                XCTAssertTrue("\(error)".contains(fragment), "\(error)")
            }
        }
        XCTAssertThrowsError(try ImageFile.read(path: "\(dir)/missing.png")) { error in
            XCTAssertEqual("\(error)", "\(dir)/missing.png: no such file")
        }
    }
}
