/// A key press, as the views see it.
public enum Key: Hashable, Sendable {
    case up, down, left, right
    case home, end, pageUp, pageDown
    case tab, backTab, enter, escape, backspace
    /// Ctrl-L: draw the whole screen again.
    case redraw
    /// A printable character.
    case character(Character)
    /// The terminal changed size.
    case resize
}

extension Key {
    /// The key an escape sequence stands for, from the bytes after ESC: the CSI and SS3 forms
    /// terminals send for arrows, Home, End, Page Up and Down and Shift-Tab (`[A`, `OA`, `[1;5A`,
    /// `[H`, `OH`, `[1~`, `[7~`, `[F`, `OF`, `[4~`, `[8~`, `[5~`, `[6~`, `[Z`), or nil for any
    /// other: a sequence no view uses (function keys, Alt with a key) is ignored, never read
    /// as a lone Esc.
    public static func escapeSequence(_ bytes: [UInt8]) -> Key? {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "[") || bytes[0] == UInt8(ascii: "O"),
              bytes[1] != UInt8(ascii: "[") else { return nil }  // ESC [ [ A: the Linux console's F1
        let final = bytes[bytes.count - 1]
        let parameters = String(decoding: bytes[1..<(bytes.count - 1)], as: UTF8.self)
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "Z"): return .backTab
        case UInt8(ascii: "~"):
            // "1;5" (a modifier) counts as its first number.
            switch parameters.split(separator: ";").first {
            case "1", "7": return .home
            case "4", "8": return .end
            case "5": return .pageUp
            case "6": return .pageDown
            default: return nil
            }
        default: return nil
        }
    }
}
