import Dispatch
import Foundation

/// A progress line with an ETA on stderr, redrawn in place, for long work on a terminal:
/// "scoring k=1000: 3400/10000 images  34%  ETA 0:12". Silent when stderr is not a terminal,
/// so pipes and logs get only the result.
final class ProgressLine {
    private let label: String
    private let total: Int
    private let shown = isatty(STDERR_FILENO) == 1
    private let started = DispatchTime.now().uptimeNanoseconds
    private var lastDrawn: UInt64 = 0

    /// Shows the line at 0 at once.
    init(_ label: String, total: Int) {
        self.label = label
        self.total = total
        update(0)
    }

    /// Shows `done` of the total, at most ten times a second.
    func update(_ done: Int) {
        guard shown else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard lastDrawn == 0 || now - lastDrawn > 100_000_000 || done == total else { return }
        lastDrawn = now
        let seconds = Double(now - started) / 1e9
        let remaining = done > 0 ? seconds * Double(total - done) / Double(done) : .infinity
        let eta = remaining.isFinite ? String(format: "%d:%02d", Int(remaining) / 60, Int(remaining) % 60) : "-"
        let text = "\(label): \(done)/\(total) images  \(total > 0 ? 100 * done / total : 100)%  ETA \(eta)"
        FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
    }

    /// Clears the line, so the result prints where it stood.
    func finish() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
