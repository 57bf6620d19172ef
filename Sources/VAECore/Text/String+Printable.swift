import Foundation

extension String {
    /// The text with its control characters written out as escapes (`\n`, `\t`, `\r`, `\x1b`,
    /// `\u{202e}`), so that a name read from a file (a class folder, a data spec in a
    /// checkpoint) can neither break a line nor send a terminal a command. Besides the C0 and
    /// C1 controls and DEL, the invisible format characters (bidirectional overrides and
    /// isolates among them, which reorder the rest of a terminal line) and the line and
    /// paragraph separators are escaped. Text without them is returned as it is.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return self }
        var escaped = ""
        for scalar in unicodeScalars {
            guard Self.needsEscape(scalar) else {
                escaped.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            case "\r": escaped += "\\r"
            default:
                escaped += scalar.value < 0x100 ? String(format: "\\x%02x", scalar.value) : String(format: "\\u{%x}", scalar.value)
            }
        }
        return escaped
    }

    /// Whether `scalar` is a control or format character or a line or paragraph separator.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
