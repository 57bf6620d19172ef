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
    /// A mouse button or the wheel, on a cell.
    case mouse(MouseEvent)
}

/// A press of the mouse's first button or a turn of its wheel, on a cell (0-based column and row).
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case click, wheelUp, wheelDown }

    public var kind: Kind
    public var x: Int
    public var y: Int

    public init(_ kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }

    /// The event an xterm mouse report stands for: its button code (with the modifier bits)
    /// and 1-based column and row; nil for releases, motion and other buttons.
    static func report(button: Int, column: Int, row: Int, released: Bool = false) -> MouseEvent? {
        guard !released, column >= 1, row >= 1, button & 32 == 0 else { return nil }  // 32: motion
        switch button & ~(4 | 8 | 16) {  // Shift, Alt and Ctrl
        case 0: return MouseEvent(.click, x: column - 1, y: row - 1)
        case 64: return MouseEvent(.wheelUp, x: column - 1, y: row - 1)
        case 65: return MouseEvent(.wheelDown, x: column - 1, y: row - 1)
        default: return nil
        }
    }
}

extension Key {
    /// The key an escape sequence stands for, from the bytes after ESC: the CSI and SS3 forms
    /// terminals send for arrows, Home, End, Page Up and Down and Shift-Tab (`[A`, `OA`, `[1;5A`,
    /// `[H`, `OH`, `[1~`, `[7~`, `[F`, `OF`, `[4~`, `[8~`, `[5~`, `[6~`, `[Z`), or nil for any
    /// other: a sequence no view uses (function keys, Alt with a key) is ignored, never read
    /// as a lone Esc.
    public static func escapeSequence(_ bytes: [UInt8]) -> Key? {
        if let mouse = mouseReport(bytes) { return .mouse(mouse) }
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

    /// A mouse report the terminfo entry did not describe, so that curses passed it on: SGR
    /// (`[<0;12;5M`, press; `m`, release) or X10 (`[M` and three bytes, each value plus 32).
    static func mouseReport(_ bytes: [UInt8]) -> MouseEvent? {
        if bytes.count == 5, bytes.starts(with: Array("[M".utf8)) {
            return MouseEvent.report(button: Int(bytes[2]) - 32, column: Int(bytes[3]) - 32, row: Int(bytes[4]) - 32)
        }
        guard bytes.count >= 4, bytes.starts(with: Array("[<".utf8)),
              let final = bytes.last, final == UInt8(ascii: "M") || final == UInt8(ascii: "m") else { return nil }
        let numbers = String(decoding: bytes[2..<(bytes.count - 1)], as: UTF8.self).split(separator: ";").compactMap { Int($0) }
        guard numbers.count == 3 else { return nil }
        return MouseEvent.report(button: numbers[0], column: numbers[1], row: numbers[2], released: final == UInt8(ascii: "m"))
    }
}
