import Foundation

/// A problem with input data: names the file or dataset, what is wrong, and the fix when there is one.
public struct DataError: Error, LocalizedError, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    /// "<path>: <problem>".
    public init(file: String, _ problem: String) { self.message = "\(file): \(problem)" }

    public var errorDescription: String? { message }
    public var description: String { message }
}
