/// A key press, as the views see it.
public enum Key: Hashable, Sendable {
    case up, down, left, right
    case tab, backTab, enter, escape, backspace
    /// A printable character.
    case character(Character)
    /// The terminal changed size.
    case resize
}
