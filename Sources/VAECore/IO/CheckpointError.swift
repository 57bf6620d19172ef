import Foundation

/// A problem reading or writing a checkpoint: names the file and says exactly what is wrong.
public struct CheckpointError: Error, LocalizedError, CustomStringConvertible, Equatable {
    public let message: String

    /// "<path>: <problem>".
    public init(file: String, _ problem: String) { message = "\(file): \(problem)" }

    public var errorDescription: String? { message }
    public var description: String { message }

    /// Text taken from a file, made fit to quote in a one-line message: control characters
    /// (newlines included) are escaped as `\n`, `\u{7}` and the like, and anything past
    /// `limit` characters is cut and marked with "...". A file can hold names of any length
    /// and content; the message stays one short line.
    static func excerpt(_ text: some StringProtocol, limit: Int = 80) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit { return result + "..." }
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                    || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
            count += 1
        }
        return result
    }
}
