import Foundation

/// A problem reading or writing a checkpoint: names the file and says exactly what is wrong.
public struct CheckpointError: Error, LocalizedError, CustomStringConvertible, Equatable {
    public let message: String

    /// "<path>: <problem>".
    public init(file: String, _ problem: String) { message = "\(file): \(problem)" }

    public var errorDescription: String? { message }
    public var description: String { message }
}
