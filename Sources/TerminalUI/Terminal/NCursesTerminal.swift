import CNCurses
import Foundation

/// A real terminal through ncursesw. Only this type calls curses, and only from one thread.
///
/// Starting it checks that standard input and output are a terminal with cursor addressing;
/// `restore()` (also run on exit and on fatal signals) gives the terminal back as it was.
public final class NCursesTerminal: Terminal {
    /// Why a terminal could not be started.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    public let abilities: TerminalAbilities
    private var colorNumbers: ColorNumbers { ColorNumbers(abilities: abilities) }
    private var pairs: [Int64: Int32] = [:]
    private var active = true
    /// Set (from any thread: a signal handler's queue) when the terminal is gone, SIGHUP: the
    /// window closed or the SSH session dropped. From then on nothing is drawn and no key is
    /// read, so the app can save and end without writing to a dead terminal.
    public let hangup = SignalFlag()

    /// How many colours images get: the 256-colour palette, or 24-bit colour.
    public enum ColorDepth: String, CaseIterable, Sendable {
        case palette = "256"
        case direct = "24bit"
    }

    /// Takes over the terminal. `noColor` comes from `--no-color`, `imageGlyphs` from
    /// `--glyphs`, `mouse` from `--no-mouse` and `depth` from `--colors`; `NO_COLOR` and
    /// `COLORTERM` are read here.
    ///
    /// 24-bit colour is used when the terminfo entry has it (`xterm-direct`, `tmux-direct`,
    /// ...), or when `COLORTERM` is `truecolor` or `24bit` (or `--colors 24bit` asks) and a
    /// direct-colour entry of the same terminal exists (`xterm-256color` -> `xterm-direct`,
    /// from Debian's `ncurses-term`); curses then draws through that entry. `--colors 256`
    /// keeps images on the palette whatever the terminal has.
    public init(noColor: Bool, imageGlyphs: GlyphMode? = nil, mouse: Bool = true, depth: ColorDepth? = nil) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw StartError(description: "not a terminal")
        }
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        guard !term.isEmpty, term != "dumb" else {
            throw StartError(description: "TERM is \(term.isEmpty ? "not set" : "dumb"): a terminal with cursor addressing is needed")
        }
        let unicode = latent_setlocale_utf8() != 0
        let environment = ProcessInfo.processInfo.environment
        let wantsDirect = depth == .direct || (depth == nil && ["truecolor", "24bit"].contains(environment["COLORTERM"] ?? ""))
        let type = wantsDirect && latent_terminfo_colors(term) < 1 << 24 ? NCursesTerminal.directEntry(for: term) : nil
        guard (type.map { latent_newterm($0) } ?? latent_newterm(nil)) != nil else {
            throw StartError(description: "unknown terminal type TERM=\(term)")
        }
        guard latent_has_cursor_addressing() != 0 else {
            endwin()
            throw StartError(description: "TERM=\(term) cannot move the cursor")
        }
        NCursesTerminal.installRestoreHandlers()
        set_escdelay(25)
        cbreak()
        noecho()
        keypad(latent_stdscr(), true)
        curs_set(0)
        // Clicks and the wheel; the terminal's own selection then needs Shift held.
        if mouse { _ = latent_mouse_on() }
        let environmentNoColor = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        var colors = 0
        if has_colors() {
            start_color()
            use_default_colors()
            colors = Int(latent_colors())
        }
        abilities = TerminalAbilities(unicode: unicode, colors: colors, noColor: noColor || environmentNoColor,
                                      chosenImageGlyphs: imageGlyphs, directColor: colors >= 1 << 24 && depth != .palette)
    }

    deinit { restore() }

    /// The direct-colour terminfo entry of terminal type `term` (`xterm-256color` ->
    /// `xterm-direct`), when one is installed.
    static func directEntry(for term: String) -> String? {
        var base = term
        for suffix in ["-256color", "-88color", "-16color", "-color", "-direct"] where base.hasSuffix(suffix) {
            base = String(base.dropLast(suffix.count))
            break
        }
        let entry = base + "-direct"
        return latent_terminfo_colors(entry) >= 1 << 24 ? entry : nil
    }

    public var size: (columns: Int, rows: Int) {
        (Int(latent_cols()), Int(latent_lines()))
    }

    /// Ends curses; safe to call more than once. After a hangup there is no terminal left to
    /// restore, and nothing is written.
    public func restore() {
        guard active else { return }
        active = false
        guard !hangup.isSet, !isendwin() else { return }
        if latent_has_alternate_screen() == 0 { latent_clear_now() }
        endwin()
    }

    public func present(_ grid: Grid) {
        guard !hangup.isSet else { return }
        let (columns, rows) = size
        for y in 0..<min(rows, grid.height) {
            for x in 0..<min(columns, grid.width) {
                // The bottom-right cell would scroll the screen on some terminals.
                if y == rows - 1 && x == columns - 1 { continue }
                let cell = grid[x, y]
                // A half-block's foreground is the cell's upper pixel, its background the lower.
                latent_put_cell(Int32(y), Int32(x), wchar_t(cell.glyph.value), attributes(cell.style),
                                pair(colorNumbers.number(cell.foreground, x: x, y: 2 * y),
                                     colorNumbers.number(cell.background, x: x, y: 2 * y + 1)))
            }
        }
        refresh()
    }

    public func readKey(milliseconds: Int) -> Key? {
        guard !hangup.isSet else {
            usleep(useconds_t(milliseconds * 1000))
            return nil
        }
        timeout(Int32(milliseconds))
        let code = getch()
        switch code {
        case ERR: return nil
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        // vt220-style terminfo names Home and End "find" and "select"; the keypad's corners too.
        case KEY_HOME, KEY_FIND, KEY_A1: return .home
        case KEY_END, KEY_SELECT, KEY_C1: return .end
        case KEY_PPAGE, KEY_A3: return .pageUp
        case KEY_NPAGE, KEY_C3: return .pageDown
        case KEY_RESIZE: return .resize
        case KEY_BTAB: return .backTab
        case KEY_ENTER, 10, 13: return .enter
        case KEY_BACKSPACE, 127, 8: return .backspace
        case 9: return .tab
        case 12: return .redraw
        case KEY_MOUSE: return readMouse()
        case 27: return readEscapeSequence()
        case 32..<127: return .character(Character(Unicode.Scalar(UInt8(code))))
        // Other control bytes, the bytes of non-ASCII characters and key codes no view uses.
        default: return nil
        }
    }

    /// After an ESC: a lone Esc when nothing follows within 25 ms, the key of a sequence the
    /// terminfo entry did not know (ESC[1~ for Home under tmux, say), or nil for one no view
    /// uses, such as Alt with a key. The whole sequence is read, so none of it becomes keys.
    private func readEscapeSequence() -> Key? {
        timeout(25)
        let introducer = getch()
        guard introducer != ERR else { return .escape }
        guard introducer == Int32(UInt8(ascii: "[")) || introducer == Int32(UInt8(ascii: "O")) else { return nil }
        var bytes = [UInt8(introducer)]
        // Parameters and intermediates, then one final byte from @ to ~.
        while bytes.count < 16 {
            let next = getch()
            guard next != ERR, (0...255).contains(next) else { break }
            bytes.append(UInt8(next))
            // The Linux console's F1 to F5 are ESC [ [ A to E: one byte more.
            if bytes == Array("[[".utf8) { continue }
            if (0x40...0x7E).contains(next) { break }
        }
        // An X10 mouse report: three bytes of button, column and row follow ESC [ M.
        if bytes == Array("[M".utf8) {
            for _ in 0..<3 {
                let next = getch()
                guard next != ERR, (0...255).contains(next) else { break }
                bytes.append(UInt8(next))
            }
        }
        return Key.escapeSequence(bytes)
    }

    /// The mouse event curses decoded, when it is one the views use.
    private func readMouse() -> Key? {
        var x: Int32 = 0, y: Int32 = 0
        switch latent_read_mouse(&x, &y) {
        case 1: return .mouse(MouseEvent(.click, x: Int(x), y: Int(y)))
        case 2: return .mouse(MouseEvent(.wheelUp, x: Int(x), y: Int(y)))
        case 3: return .mouse(MouseEvent(.wheelDown, x: Int(x), y: Int(y)))
        default: return nil
        }
    }

    /// The next `present` draws every cell again.
    public func redraw() {
        guard !hangup.isSet else { return }
        latent_redraw_all_next()
    }

    private func attributes(_ style: CellStyle) -> attr_t {
        var attrs: attr_t = 0
        if style.contains(.bold) { attrs |= latent_attr_bold() }
        if style.contains(.reverse) { attrs |= latent_attr_reverse() }
        if style.contains(.dim) { attrs |= latent_attr_dim() }
        if style.contains(.underline) { attrs |= latent_attr_underline() }
        return attrs
    }

    /// An extended colour pair for two colour numbers, made on first use.
    private func pair(_ fg: Int32, _ bg: Int32) -> Int32 {
        if fg == -1 && bg == -1 { return 0 }
        let key = Int64(fg) << 32 | Int64(UInt32(bitPattern: bg))
        if let existing = pairs[key] { return existing }
        let made = alloc_pair(fg, bg)
        pairs[key] = made
        return made
    }

    /// Restores the terminal at exit and before a crash signal takes the process down.
    private static func installRestoreHandlers() {
        atexit { if !isendwin() { endwin() } }
        for signalNumber in [SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE] {
            signal(signalNumber) { number in
                endwin()
                signal(number, SIG_DFL)
                raise(number)
            }
        }
    }
}
