import Dispatch
import Foundation

/// Turns Ctrl-C (SIGINT), SIGTERM and SIGHUP (a closed terminal or SSH session) into a
/// callback, so that a command can save and exit cleanly. The callback runs on a background
/// queue and gets the signal's number; the first signal's number is kept for the exit status.
///
/// A signal that was ignored when latent started (SIGHUP under nohup, SIGINT for a job started
/// in the background by a shell without job control) stays ignored; `restore()` gives each
/// signal back the handling it had.
final class InterruptHandler: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private var previous: [(signal: Int32, handler: __sighandler_t?)] = []
    private let lock = NSLock()
    private var first: Int32?

    init(_ handler: @escaping @Sendable (Int32) -> Void) {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            let before = signal(signalNumber, SIG_IGN)
            previous.append((signalNumber, before))
            if InterruptHandler.isIgnore(before) { continue }
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                lock.withLock { first = first ?? signalNumber }
                handler(signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }

    private static func isIgnore(_ handler: __sighandler_t?) -> Bool {
        guard let handler else { return false }
        return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// A name for the first signal, for messages: "interrupted", "hung up", "terminated".
    var stoppedBy: String {
        switch received {
        case SIGHUP: return "hung up"
        case SIGTERM: return "terminated"
        default: return "interrupted"
        }
    }

    /// The first signal that came, if any.
    var received: Int32? { lock.withLock { first } }

    /// The shell's exit status for the first signal: 128 + its number (130 for Ctrl-C, 129
    /// for a hangup, 143 for SIGTERM), or nil when none came.
    var exitStatus: Int32? { received.map { 128 + $0 } }

    /// Gives the signals their default behaviour back.
    func restore() {
        for source in sources { source.cancel() }
        for (number, handler) in previous { signal(number, handler) }
    }
}
