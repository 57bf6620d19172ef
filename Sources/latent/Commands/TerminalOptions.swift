import ArgumentParser
import Foundation
import TerminalUI

/// How the terminal front end draws: the flags of every command that opens it (explore,
/// interpolate, train's live monitor, watch).
struct TerminalOptions: ParsableArguments {
    @Option(help: "Glyphs for images: half, quadrant, braille or ascii (default: the best the terminal shows).")
    var glyphs: GlyphMode?

    @Flag(help: "No colours (as the NO_COLOR variable does).")
    var noColor = false

    @Flag(help: "Leave the mouse to the terminal (its own selection works without Shift).")
    var noMouse = false

    @Option(help: "Colours for colour images: 256 or 24bit (default: 24-bit when the terminal has it or COLORTERM says truecolor).")
    var colors: NCursesTerminal.ColorDepth?

    /// The terminal, set up as the flags say; one that cannot be opened is bad input:
    /// "cannot open the terminal`purpose`: <why>; `advice`".
    func open(for purpose: String = "", advice: String) throws -> NCursesTerminal {
        do {
            return try NCursesTerminal(noColor: noColor, imageGlyphs: glyphs, mouse: !noMouse, depth: colors)
        } catch {
            throw UsageError("cannot open the terminal\(purpose): \(error); \(advice)")
        }
    }
}

/// Runs the explorer app until q, or until a signal ends it on its own thread (a hangup marks
/// the terminal gone, so nothing more is drawn); a signal then exits with the shell's status
/// for it, the terminal given back first.
func runStoppingOnSignals(_ app: ExplorerApp, terminal: NCursesTerminal) throws {
    let (quit, hangup) = (app.quitRequest, terminal.hangup)
    let interrupt = InterruptHandler { signal in
        if signal == SIGHUP { hangup.set() }
        quit.set()
    }
    defer { interrupt.restore() }
    app.run()
    if let status = interrupt.exitStatus {
        terminal.restore()
        throw ExitCode(status)
    }
}
