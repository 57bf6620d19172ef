import Foundation
import XCTest
@testable import VAECore

final class AtomicFileTests: XCTestCase {
    private func hidden(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".") }
    }

    func testWrite_ReplacesWholeFilesAndLeavesNoTemporaryEitherWay() throws {
        let directory = try temporaryDirectory(self)
        let path = directory + "/data.bin"
        for unnamedFirst in [true, false] {
            let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* (unnamedFirst ? 7 : 13)) }
            try AtomicFile.write(bytes, to: path, unnamedFirst: unnamedFirst)
            XCTAssertEqual(FileManager.default.contents(atPath: path), Data(bytes))
            XCTAssertEqual(try hidden(directory), [], "unnamed first: \(unnamedFirst)")
        }
    }

    func testWrite_KeepsTheReplacedFilesPermissions() throws {
        let directory = try temporaryDirectory(self)
        let path = directory + "/private.csv"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("old".utf8)))
        chmod(path, 0o600)
        try AtomicFile.write(Array("new".utf8), to: path)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o600)
    }

    func testDestination_FollowsLinksAndRefusesWhatIsNoRegularFile() throws {
        let directory = try temporaryDirectory(self)
        let target = directory + "/real.png"
        XCTAssertTrue(FileManager.default.createFile(atPath: target, contents: Data()))
        XCTAssertEqual(symlink("real.png", directory + "/link.png"), 0)
        XCTAssertEqual(try AtomicFile.destination(of: directory + "/link.png"), target)
        XCTAssertEqual(try AtomicFile.destination(of: directory + "/new.png"), directory + "/new.png")
        for (path, words) in [(directory, "is a directory"), ("/dev/null", "is a device"),
                              (directory + "/missing/x.png", "the folder \(directory)/missing does not exist"),
                              (directory + "/", "names a folder (it ends in /)")] {
            XCTAssertThrowsError(try AtomicFile.destination(of: path)) { error in
                let failure = error as? FileError
                XCTAssertEqual(failure?.cause, .badPath)
                XCTAssertTrue(failure?.message.contains(words) == true, "\(path): \(String(describing: failure))")
            }
        }
    }

    func testALongName_GetsATemporaryNameWithinTheLimit() throws {
        let directory = try temporaryDirectory(self)
        let path = directory + "/" + String(repeating: "b", count: 240) + ".csv"
        for unnamedFirst in [true, false] {
            try AtomicFile.write(Array("x".utf8), to: path, unnamedFirst: unnamedFirst)
            XCTAssertEqual(FileManager.default.contents(atPath: path), Data("x".utf8))
        }
        XCTAssertEqual(try hidden(directory), [])
        XCTAssertEqual(AtomicFile.temporaryPrefix(of: path).utf8.count, 202)
        XCTAssertEqual(AtomicFile.temporaryPrefix(of: "/a/grid.png"), ".grid.png.")
    }
}
