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
        let automatic = ImageFile.prepared(image, for: .mnist)
        XCTAssertEqual(automatic.count, 784)
        XCTAssertLessThan(automatic[0], 0.05, "the page became the dark background")
        XCTAssertGreaterThan(automatic.max()!, 0.7, "the ring became light")
        let never = ImageFile.prepared(image, for: .mnist, inversion: .never)
        XCTAssertGreaterThan(never[0], 0.95)
        XCTAssertEqual(ImageFile.prepared(image, for: .mnist, inversion: .always), automatic)
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
        // Colour becomes luma: pure red, green and blue, then white.
        let colour = Array("P6\n4 1\n255\n".utf8) + [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]
        let grey = try Netpbm.parse(colour, file: "c.ppm").pixels
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
        XCTAssertThrowsError(try ImageFile.write(image, to: "\(dir)/e.jpg")) { error in
            XCTAssertEqual("\(error)", "\(dir)/e.jpg: cannot write .jpg files; name it .png, .pgm or .ppm")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/e.jpg"))
    }

    func testBadFiles_GiveOneClearError() throws {
        let dir = try temporaryDirectory(self)
        let png = try XCTUnwrap(FileManager.default.contents(atPath: fixture))
        let cases: [(String, Data, String)] = [
            ("truncated.png", png.prefix(png.count / 2), "truncated or corrupt PNG"),
            ("notes.txt", Data("hello".utf8), "not a PNG, PGM or PPM image"),
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
