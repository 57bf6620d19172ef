import Foundation
import XCTest
@testable import VAECore

final class ImageFolderTests: XCTestCase {
    private func writePGM(_ path: String, width: Int = 40, height: Int = 30, value: UInt8) {
        var pixels = [UInt8](repeating: 250, count: width * height)
        for i in stride(from: 0, to: pixels.count, by: 7) { pixels[i] = value }
        _ = FileManager.default.createFile(atPath: path, contents: Data(Array("P5\n\(width) \(height)\n255\n".utf8) + pixels))
    }

    func testClassFolders_BecomeLabelsAndEverySixthImageIsHeldOut() throws {
        let dir = try temporaryDirectory(self)
        for (folder, value) in [("boots", UInt8(10)), ("shirts", UInt8(60))] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(folder)", withIntermediateDirectories: true)
            for i in 0..<6 { writePGM("\(dir)/\(folder)/\(i).pgm", value: value) }
        }
        XCTAssertEqual(try DataSpec(parsing: dir), .imageDirectory(dir))
        let split = try DataSpec(parsing: dir).load()
        XCTAssertEqual(split.shape, .mnist)
        XCTAssertEqual(split.train.count, 10)
        XCTAssertEqual(split.test.count, 2)
        XCTAssertEqual(split.train.classNames, ["boots", "shirts"])
        XCTAssertEqual(split.test.labels, [0, 1])
        let first = split.train.image(0)
        XCTAssertLessThan(first.reduce(0, +) / Float(first.count), 0.3, "light paper inverted to a dark background")
    }

    func testMixedSizes_NameTheOddFile() throws {
        let dir = try temporaryDirectory(self)
        writePGM("\(dir)/a.pgm", value: 0)
        writePGM("\(dir)/b.pgm", width: 20, height: 20, value: 0)
        XCTAssertThrowsError(try DataSpec(parsing: dir).load()) { error in
            XCTAssertEqual("\(error)", "\(dir)/b.pgm: is 20x20 but \(dir)/a.pgm is 40x30; the images of a folder must share one size")
        }
    }

    func testAFolderWithOneImage_SaysSo() throws {
        let dir = try temporaryDirectory(self)
        writePGM("\(dir)/only.pgm", value: 0)
        XCTAssertThrowsError(try DataSpec(parsing: dir).load()) { error in
            XCTAssertTrue("\(error)".contains("only one image"), "\(error)")
        }
    }

    func testAFolderWithOneBrokenImage_NamesTheBrokenFile() throws {
        let dir = try temporaryDirectory(self)
        _ = FileManager.default.createFile(atPath: "\(dir)/only.png", contents: Data("hello".utf8))
        XCTAssertThrowsError(try DataSpec(parsing: dir).load()) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(dir)/only.png: not a PNG"), "\(error)")
        }
    }
}
