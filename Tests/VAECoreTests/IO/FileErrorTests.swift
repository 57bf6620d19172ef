import Foundation
import XCTest
@testable import VAECore

/// Reading and writing fail with one error type, whose cause says whose fault it is.
final class FileErrorTests: XCTestCase {
    func testCause_FollowsTheSystemsError() {
        for code in [EACCES, EPERM, EIO, ENOSPC, EROFS, EFBIG] {
            XCTAssertEqual(FileError.cause(of: code), .environment, String(cString: strerror(code)))
        }
        for code in [ENOENT, ENOTDIR, EISDIR, ENAMETOOLONG, ELOOP] {
            XCTAssertEqual(FileError.cause(of: code), .badPath, String(cString: strerror(code)))
        }
        XCTAssertEqual(FileError(file: "a.png", "cannot read", errno: EACCES),
                       FileError(file: "a.png", "cannot read: Permission denied", cause: .environment))
    }

    func testReading_ADirectoryOrAMissingFileIsABadPath() throws {
        let dir = try temporaryDirectory(self)
        for read in [{ _ = try FileBytes.read(dir, expected: "an image file", maximumSize: 100) },
                     { _ = try Safetensors.read(path: dir) }] {
            XCTAssertThrowsError(try read()) { error in
                XCTAssertEqual((error as? FileError)?.cause, .badPath, "\(error)")
                XCTAssertTrue("\(error)".hasPrefix("\(dir): is a directory, expected "), "\(error)")
            }
        }
        XCTAssertThrowsError(try ImageFile.read(path: dir + "/gone.png")) { error in
            XCTAssertEqual(error as? FileError, FileError(file: dir + "/gone.png", "no such file", cause: .badPath))
        }
        XCTAssertThrowsError(try FileBytes.names(inDirectory: dir + "/gone")) { error in
            XCTAssertEqual(error as? FileError, FileError(file: dir + "/gone", "cannot list the directory", errno: ENOENT))
        }
    }

    /// Tests run as root, whom permissions do not stop: /proc/self/mem is a "regular file" whose
    /// read at offset 0 fails with EIO, the same path an EACCES or a failing disk takes.
    func testReading_ARefusedReadIsTheEnvironments() {
        XCTAssertThrowsError(try FileBytes.read("/proc/self/mem", expected: "an image file", maximumSize: 100)) { error in
            XCTAssertEqual(error as? FileError, FileError(file: "/proc/self/mem", "cannot read: Input/output error", cause: .environment))
        }
    }

    func testReading_GoesToTheEndAndRefusesPastTheMaximum() throws {
        let path = try temporaryDirectory(self) + "/bytes"
        let bytes = (0..<10_000).map { UInt8($0 % 251) }
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        XCTAssertEqual(try FileBytes.read(path, expected: "a file", maximumSize: 10_000), bytes)
        XCTAssertThrowsError(try FileBytes.read(path, expected: "a file", maximumSize: 9_999)) { error in
            XCTAssertEqual((error as? FileError)?.cause, .badPath)
        }
        // A file that says it is empty but is not (as /proc files do) is read to its end.
        let version = try FileBytes.read("/proc/self/status", expected: "a file", maximumSize: 1 << 20)
        XCTAssertTrue(String(decoding: version, as: UTF8.self).hasPrefix("Name:"))
    }
}
