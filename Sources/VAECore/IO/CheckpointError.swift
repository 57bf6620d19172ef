import Foundation

/// A problem reading or writing a checkpoint: names the file and says exactly what is wrong.
public struct CheckpointError: Error, LocalizedError, CustomStringConvertible, Equatable {
    public let message: String

    /// "<path>: <problem>".
    public init(file: String, _ problem: String) { message = "\(file): \(problem)" }

    public var errorDescription: String? { message }
    public var description: String { message }

    /// Text taken from a file, made fit to quote in a one-line message: control characters
    /// (newlines included) are escaped (`escapingControlCharacters`), and anything past `limit`
    /// characters is cut and marked with "...". A file can hold names of any length and
    /// content; the message stays one short line.
    static func excerpt(_ text: some StringProtocol, limit: Int = 80) -> String {
        let scalars = text.unicodeScalars
        let kept = String(String.UnicodeScalarView(scalars.prefix(limit))).escapingControlCharacters
        return scalars.count > limit ? kept + "..." : kept
    }
}
