import Foundation

/// A file could not be written: the path names something latent does not write over, or the
/// machine refused (no space, no permission, a read-only folder, a file-size limit).
public struct WriteError: Error, LocalizedError, CustomStringConvertible, Equatable {
    /// Why the write did not happen.
    public enum Cause: Sendable, Equatable {
        /// The path is not a place for a file: a directory, a device, a dangling link, no folder.
        /// Bad input: the user can name another file.
        case refusedTarget
        /// The system refused the write: full disk, permissions, read-only, file-size limit.
        case environment
    }

    public let cause: Cause
    public let message: String

    /// "<path>: <problem>".
    public init(file: String, _ problem: String, cause: Cause) {
        self.cause = cause
        message = "\(file): \(problem)"
    }

    public var errorDescription: String? { message }
    public var description: String { message }
}
