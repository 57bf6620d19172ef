import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes whole files so that readers see the old contents or the new, never a mix.
public enum AtomicFile {
    /// Writes `bytes` to a temporary file beside `path`, syncs it, and renames it over `path`.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CheckpointError(file: path, "the folder \(directory) does not exist; create it first")
        }
        // Unique per call, so that two threads saving the same file never share a temporary.
        let temporary = "\(directory)/.\(url.lastPathComponent).\(getpid()).\(UUID().uuidString.prefix(8)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw CheckpointError(file: path, "cannot write in \(directory): \(String(cString: strerror(errno)))")
        }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return fsync(fd) == 0
        }
        let error = errno
        close(fd)
        guard ok else {
            unlink(temporary)
            throw CheckpointError(file: path, "writing failed: \(String(cString: strerror(error)))")
        }
        guard rename(temporary, path) == 0 else {
            let error = errno
            unlink(temporary)
            throw CheckpointError(file: path, "cannot replace the file: \(String(cString: strerror(error)))")
        }
    }
}
