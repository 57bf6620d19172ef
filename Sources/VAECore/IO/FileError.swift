import Foundation

/// A file or folder could not be read or written: the core's one I/O error. Its message is one
/// line naming the file and what is wrong; `cause` says whether the path or the machine is at
/// fault.
///
/// What a file holds is another matter: a corrupt image or IDX file is a `DataError`, a bad
/// checkpoint a `CheckpointError`.
public struct FileError: Error, LocalizedError, CustomStringConvertible, Equatable {
    /// Why the file was not read or written.
    public enum Cause: Sendable, Equatable {
        /// The path names nothing latent reads or writes there: no such file or folder, a
        /// directory, a device or FIFO, a dangling link, a file larger than any latent reads.
        /// Bad input: the user can name another file.
        case badPath
        /// The system refused: no permission, an I/O error, a full disk, a read-only file
        /// system, a file-size limit. The path was right; the machine was not.
        case environment
    }

    public let cause: Cause
    public let message: String

    /// "<path>: <problem>".
    public init(file: String, _ problem: String, cause: Cause) {
        self.cause = cause
        message = "\(file): \(problem)"
    }

    /// A system call on `file` that failed with `code` (an `errno`): "<path>: <doing>: <the
    /// system's words>", with the cause the code implies (`cause(of:)`).
    init(file: String, _ doing: String, errno code: Int32) {
        self.init(file: file, "\(doing): \(String(cString: strerror(code)))", cause: FileError.cause(of: code))
    }

    /// The fault an `errno` points at: a path that names nothing usable (ENOENT, ENOTDIR,
    /// EISDIR, ENAMETOOLONG, ELOOP) is the user's; anything else (EACCES, EPERM, EIO, ENOSPC,
    /// EROFS, EFBIG, EMFILE, ...) the machine's.
    static func cause(of code: Int32) -> Cause {
        [ENOENT, ENOTDIR, EISDIR, ENAMETOOLONG, ELOOP].contains(code) ? .badPath : .environment
    }

    public var errorDescription: String? { message }
    public var description: String { message }
}
