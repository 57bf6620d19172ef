import Foundation
import XCTest
@testable import VAECore

/// Folders of colour pictures: colour when any image has colour, the folder's own size, every
/// image fitted.
final class ColourFolderTests: XCTestCase {
    private func writePGM(_ path: String, width: Int = 40, height: Int = 40, value: UInt8) {
        let pixels = [UInt8](repeating: value, count: width * height)
        _ = FileManager.default.createFile(atPath: path, contents: Data(Array("P5\n\(width) \(height)\n255\n".utf8) + pixels))
    }

    func testOneColourImage_MakesTheFolderColour_AtItsOwnSize() throws {
        let dir = try temporaryDirectory(self)
        for i in 0..<5 { writePGM("\(dir)/\(i).pgm", value: 100) }
        writePPM("\(dir)/5.ppm", (200, 40, 10))
        let split = try DataSpec(parsing: dir).load()
        XCTAssertEqual(split.shape, ImageShape(channels: 3, height: 40, width: 40), "the images' own size, at most 64")
        // The sixth image is held out: its planes are red, green and blue.
        let image = split.test.image(0), plane = 40 * 40
        XCTAssertEqual(image[plane - 1], 200 / 255)
        XCTAssertEqual(image[2 * plane - 1], 40 / 255)
        XCTAssertEqual(image[3 * plane - 1], 10 / 255)
        // A gray image in a colour set is gray in all three planes.
        let gray = split.train.image(0)
        XCTAssertEqual(gray[5], 100 / 255)
        XCTAssertEqual(gray[plane + 5], gray[5])
        XCTAssertEqual(gray[2 * plane + 5], gray[5])
        // Gray on request: the colour image by Rec. 601 luma, and 28x28.
        let asGray = try DataSpec(parsing: dir).load(options: DataOptions(channels: 1, inversion: .never))
        XCTAssertEqual(asGray.shape, .mnist)
        XCTAssertEqual(asGray.test.image(0)[783], Dataset.intensityOfByte[Int(Dataset.byte(Netpbm.luma(red: 200 / 255, green: 40 / 255, blue: 10 / 255)))])
    }

    func testSizes_SharedSmallSizeIsKept_LargerOrMixedBecome64() throws {
        let headers = { (sides: [(Int, Int)]) in sides.map { (width: $0.0, height: $0.1, channels: 3) } }
        XCTAssertEqual(ImageFolder.automatic(headers([(32, 32), (32, 32)])).size, 32)
        XCTAssertEqual(ImageFolder.automatic(headers([(48, 40), (48, 40)])).size, 40, "the shorter side of a shared size")
        XCTAssertEqual(ImageFolder.automatic(headers([(178, 218), (178, 218)])).size, 64)
        XCTAssertEqual(ImageFolder.automatic(headers([(32, 32), (40, 40)])).size, 64, "sizes differ")
        XCTAssertEqual(ImageFolder.automatic([(width: 32, height: 32, channels: 1)]).size, 28, "gray sets are 28x28")
        XCTAssertEqual(ImageFolder.automatic([(width: 32, height: 32, channels: 1)]).channels, 1)
        let dir = try temporaryDirectory(self)
        writePPM("\(dir)/a.ppm", width: 100, height: 80, (10, 200, 10))
        writePPM("\(dir)/b.ppm", width: 20, height: 30, (10, 200, 10))
        XCTAssertEqual(try DataSpec(parsing: dir).load().shape, ImageShape(channels: 3, height: 64, width: 64))
        XCTAssertEqual(try DataSpec(parsing: dir).load(options: DataOptions(size: 16)).shape,
                       ImageShape(channels: 3, height: 16, width: 16))
    }

    func testLoading_ReportsProgressAndNamesTheFirstBadFile() throws {
        let dir = try temporaryDirectory(self)
        for i in 0..<30 { writePPM("\(dir)/\(String(format: "%02d", i)).ppm", (UInt8(i), 0, 0)) }
        let seen = Counter()
        _ = try ImageFolder.load(dir, options: DataOptions(size: 8, channels: 3), progress: { phase, done, total in
            seen.record(phase, done, total)
        })
        XCTAssertEqual(seen.last?.done, 30)
        XCTAssertEqual(seen.phases, ["reading"], "no scan when size and channels are given")
        // With every core reading, the error named is still the first bad file's.
        for name in ["07", "21"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: "\(dir)/\(name).ppm", contents: Data("P6 40 40 255\n".utf8)))
        }
        for _ in 0..<5 {
            XCTAssertThrowsError(try ImageFolder.load(dir)) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(dir)/07.ppm: truncated PPM"), "\(error)")
            }
        }
    }

    func testSprites_At64AndInGray_AreTheSameShapes() {
        let small = Sprites.generate(count: 12, seed: 5, name: "s")
        let large = Sprites.generate(count: 12, seed: 5, name: "s", size: 64)
        let gray = Sprites.generate(count: 12, seed: 5, name: "s", channels: 1)
        XCTAssertEqual(large.shape, ImageShape(channels: 3, height: 64, width: 64))
        XCTAssertEqual(gray.shape, ImageShape(channels: 1, height: 32, width: 32))
        XCTAssertEqual(large.labels, small.labels)
        XCTAssertEqual(gray.labels, small.labels)
        // The same colours at both sizes: the image's mean differs little.
        for i in 0..<12 {
            let a = small.image(i).reduce(0, +) / Float(small.shape.pixelCount)
            let b = large.image(i).reduce(0, +) / Float(large.shape.pixelCount)
            XCTAssertEqual(a, b, accuracy: 0.03)
        }
        XCTAssertEqual(try DataSpec(parsing: "sprites:60").load(options: DataOptions(size: 64)).shape.height, 64)
        XCTAssertThrowsError(try DataSpec(parsing: "sprites:60").load(options: DataOptions(size: 48)))
    }
}

/// Progress reports, kept from any thread.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [(phase: String, done: Int, total: Int)] = []

    func record(_ phase: String, _ done: Int, _ total: Int) { lock.withLock { reports.append((phase, done, total)) } }
    var last: (phase: String, done: Int, total: Int)? { lock.withLock { reports.last } }
    var phases: [String] { lock.withLock { reports.map(\.phase).reduce(into: []) { if $0.last != $1 { $0.append($1) } } } }
}
