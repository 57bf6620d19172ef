import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads input files and lists input folders for the parsers, after checking by `stat` that a
/// file is a regular file of a plausible size: a FIFO or a device would block or never end, and
/// a file larger than any the parser accepts would only cost memory. Every failure is a
/// `FileError` whose cause follows the system's error (see `FileError.cause(of:)`).
enum FileBytes {
    /// The bytes of `path`, which should be `what` ("an image file") of at most `maximumSize`
    /// bytes.
    static func read(_ path: String, expected what: String, maximumSize: Int) throws -> [UInt8] {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            if code == ENOENT { throw FileError(file: path, "no such file", cause: .badPath) }
            throw FileError(file: path, "cannot read", errno: code)
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            break
        case S_IFDIR:
            throw FileError(file: path, "is a directory, expected \(what)", cause: .badPath)
        default:
            throw FileError(file: path, "is not a regular file (a FIFO, socket or device), expected \(what)", cause: .badPath)
        }
        guard Int(status.st_size) <= maximumSize else {
            throw FileError(file: path, "\(status.st_size) bytes, more than latent reads for \(what) (at most \(maximumSize) bytes)",
                            cause: .badPath)
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(file: path, "cannot read", errno: errno) }
        defer { close(descriptor) }
        // Read to the end rather than trusting st_size: a file can grow, and files under /proc
        // say 0. A byte of room past st_size sees the end without growing the buffer, and one
        // byte past the maximum is enough to refuse a file.
        var bytes = [UInt8](repeating: 0, count: min(max(Int(status.st_size) + 1, 4096), maximumSize + 1))
        var count = 0
        while true {
            if count == bytes.count {
                guard count <= maximumSize else {
                    throw FileError(file: path, "more than latent reads for \(what) (at most \(maximumSize) bytes)", cause: .badPath)
                }
                bytes += [UInt8](repeating: 0, count: min(count, maximumSize + 1 - count))
            }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(file: path, "cannot read", errno: errno)
            }
            if n == 0 { break }
            count += n
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    /// The names in the folder `path`, sorted, without "." and "..".
    static func names(inDirectory path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw FileError(file: path, "cannot list the directory", errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw FileError(file: path, "cannot list the directory", errno: errno) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
