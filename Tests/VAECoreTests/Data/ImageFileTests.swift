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

    func testPGM_BinaryAndPlain() throws {
        let binary = Array("P5\n# a comment\n3 2\n255\n".utf8) + [0, 128, 255, 255, 128, 0]
        let a = try ImageFile.parsePGM(binary, file: "a.pgm")
        XCTAssertEqual(a.width, 3)
        XCTAssertEqual(a.pixels, [0, 128 / 255, 1, 1, 128 / 255, 0])
        let plain = Array("P2 2 2 4\n0 1\n2 4\n".utf8)
        XCTAssertEqual(try ImageFile.parsePGM(plain, file: "b.pgm").pixels, [0, 0.25, 0.5, 1])
        XCTAssertThrowsError(try ImageFile.parsePGM(Array("P5\n3 2\n255\n".utf8) + [1, 2], file: "c.pgm")) { error in
            XCTAssertTrue("\(error)".hasPrefix("c.pgm: truncated PGM"), "\(error)")
        }
    }

    func testBadFiles_GiveOneClearError() throws {
        let dir = try temporaryDirectory(self)
        let png = try XCTUnwrap(FileManager.default.contents(atPath: fixture))
        let cases: [(String, Data, String)] = [
            ("truncated.png", png.prefix(png.count / 2), "truncated or corrupt PNG"),
            ("notes.txt", Data("hello".utf8), "not a PNG or PGM image"),
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
