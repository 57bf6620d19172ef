import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads a whole input file for a parser, after checking by `stat` that it is a regular file
/// of a plausible size: a FIFO or a device would block or never end, and a file larger than any
/// the parser accepts would only cost memory.
enum FileBytes {
    /// Why a file was not read, in words for "<path>: <text>".
    struct Problem: Error {
        let text: String
    }

    /// The bytes of `path`, which should be `what` ("an image file") of at most `maximumSize`
    /// bytes.
    static func read(_ path: String, expected what: String, maximumSize: Int) throws -> [UInt8] {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw Problem(text: errno == ENOENT ? "no such file" : "cannot be read: \(String(cString: strerror(errno)))")
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            break
        case S_IFDIR:
            throw Problem(text: "is a directory, expected \(what)")
        default:
            throw Problem(text: "is not a regular file (a FIFO, socket or device), expected \(what)")
        }
        guard Int(status.st_size) <= maximumSize else {
            throw Problem(text: "\(status.st_size) bytes, more than latent reads for \(what) (at most \(maximumSize) bytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(text: "cannot be read (permissions?)")
        }
        return [UInt8](data)
    }
}
