import Foundation
import VAECore

/// Output helpers: lines go out at once, even into a pipe, so progress is visible as it happens.
enum Console {
    /// Prints `text` and a newline on stdout and flushes it; false when that failed (the
    /// reader of a pipe has gone: SIGPIPE is ignored, so the write fails with EPIPE instead).
    @discardableResult
    static func line(_ text: String) -> Bool {
        print(text)
        return fflush(nil) == 0
    }

    /// Prints "latent: message" on stderr, as one line whatever the message quotes.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("latent: \(message.escapingControlCharacters)\n".utf8))
    }

    /// Runs `work` with "loading WHAT..." on stderr while it lasts, when stderr is a terminal;
    /// the line is cleared after, so what follows prints where it stood.
    static func loading<T>(_ what: String, _ work: () throws -> T) rethrows -> T {
        let shown = isatty(STDERR_FILENO) == 1
        if shown { FileHandle.standardError.write(Data("loading \(what.escapingControlCharacters)...".utf8)) }
        defer { if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
        return try work()
    }

    /// "1 epoch", "3 epochs": a count with its noun in the right number.
    static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }
}
