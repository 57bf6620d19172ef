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

    // With 2 to 5 images the test set was empty: training reported a false divergence (a test
    // loss of 0/0) and eval printed "-nan over 0 images".
    func testFewerThanSixImages_HoldOutTheLast() throws {
        for count in 2...7 {
            let dir = try temporaryDirectory(self)
            for i in 0..<count { writePGM("\(dir)/\(i).pgm", value: UInt8(i * 30)) }
            let split = try DataSpec(parsing: dir).load()
            XCTAssertEqual(split.test.count, 1, "\(count) images")
            XCTAssertEqual(split.train.count, count - 1, "\(count) images")
            guard split.test.count == 1 else { continue }
            // The held-out image is the last of fewer than six, the sixth of six or seven.
            let heldOut = count < 6 ? count - 1 : 5
            let alone = ImageFile.prepared(try ImageFile.read(path: "\(dir)/\(heldOut).pgm"), for: .mnist, fit: .crop)
            XCTAssertEqual(Array(split.test.image(0)), quantised(alone), "\(count) images")
        }
        XCTAssertEqual((0..<12).filter { ImageFolder.isHeldOut($0, of: 12) }, [5, 11])
    }

    func testMixedSizes_AreEachFittedToTheSetsSize() throws {
        let dir = try temporaryDirectory(self)
        writePGM("\(dir)/a.pgm", value: 0)
        writePGM("\(dir)/b.pgm", width: 20, height: 20, value: 200)
        let split = try DataSpec(parsing: dir).load(options: DataOptions(inversion: .never))
        XCTAssertEqual(split.shape, .mnist, "a gray folder is 28x28 unless asked")
        XCTAssertEqual(split.test.count + split.train.count, 2)
        XCTAssertEqual(try DataSpec(parsing: dir).load(options: DataOptions(size: 16, channels: 3)).shape,
                       ImageShape(channels: 3, height: 16, width: 16))
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

    private func write(_ text: String, to path: String) {
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    }

    func testHiddenEntries_AreSkipped_AndClassFoldersAreReadAtAnyDepth() throws {
        let dir = try temporaryDirectory(self)
        let manager = FileManager.default
        for path in ["boots/2019/left", "empty", "shirts", "shirts/.ipynb_checkpoints", ".ipynb_checkpoints", ".git/objects"] {
            try manager.createDirectory(atPath: "\(dir)/\(path)", withIntermediateDirectories: true)
        }
        for i in 0..<3 { writePGM("\(dir)/boots/\(i).pgm", value: 10) }
        for i in 0..<3 { writePGM("\(dir)/boots/2019/left/\(i).pgm", value: 10) }
        for i in 0..<6 { writePGM("\(dir)/shirts/\(i).pgm", value: 60) }
        // What Jupyter, macOS and git leave behind: not images, though some are named like them.
        for junk in [".DS_Store", "._a.png", "boots/._0.pgm", "shirts/.ipynb_checkpoints/0-checkpoint.png",
                     ".ipynb_checkpoints/x.png", ".git/objects/pack.png", "shirts/notes.txt"] {
            write("not an image", to: "\(dir)/\(junk)")
        }
        let names = try ImageFolder.imageFiles(dir).map { String($0.path.dropFirst(dir.count + 1)) }
        XCTAssertEqual(names, ["boots/0.pgm", "boots/1.pgm", "boots/2.pgm", "boots/2019/left/0.pgm", "boots/2019/left/1.pgm",
                               "boots/2019/left/2.pgm", "shirts/0.pgm", "shirts/1.pgm", "shirts/2.pgm", "shirts/3.pgm",
                               "shirts/4.pgm", "shirts/5.pgm"])
        let split = try DataSpec(parsing: dir).load()
        XCTAssertEqual(split.train.count + split.test.count, 12)
        // The empty folder takes no label, so labels and names stay in step.
        XCTAssertEqual(split.train.classNames, ["boots", "shirts"])
        XCTAssertEqual(split.test.labels, [0, 1])
        XCTAssertEqual(split.train.labels, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    }

    func testImagesBesideClassFolders_AreRefusedByName() throws {
        let dir = try temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: "\(dir)/cats", withIntermediateDirectories: true)
        writePGM("\(dir)/loose.pgm", value: 0)
        writePGM("\(dir)/cats/a.pgm", value: 0)
        XCTAssertEqual(try DataSpec(parsing: dir), .imageDirectory(dir))
        XCTAssertThrowsError(try DataSpec(parsing: dir).load()) { error in
            XCTAssertEqual("\(error)", "\(dir)/cats/a.pgm: is in a class folder, but \(dir)/loose.pgm is not; put every image of \(dir) in a class folder (one per label), or none in any")
        }
    }

    func testALinkBackUp_IsReadOnce() throws {
        let dir = try temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: "\(dir)/cats", withIntermediateDirectories: true)
        writePGM("\(dir)/cats/a.pgm", value: 0)
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/cats/again", withDestinationPath: "\(dir)/cats")
        XCTAssertEqual(try ImageFolder.imageFiles(dir).map(\.path), ["\(dir)/cats/a.pgm"])
    }
}
