import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Follows a run another process writes (`latent train` in another terminal, the Python
/// companion on a mounted cluster disk): its checkpoint, read again whenever the file is
/// replaced or rewritten, and its run log (`RunLog`).
///
/// A read that fails (a file cut short by a writer that does not rename, a file deleted) keeps
/// the last good model and says why in `problem`; the next poll tries again. Each poll costs
/// two `stat` calls unless something changed.
public final class RunFollower: @unchecked Sendable {
    /// The checkpoint followed, and its run log.
    public let path: String
    public let logPath: String

    /// What a poll found: the newest good model and its description, the log's lines, and
    /// the trouble with the last read, if any.
    public struct State: @unchecked Sendable {
        public var model: VAE?
        public var checkpoint: Checkpoint?
        public var entries: [RunLog.Entry] = []
        /// Why the newest file could not be read, as one line that starts with what is shown
        /// instead ("showing the last good model: FILE: truncated ..."); nil after a good read.
        public var problem: String?
        /// When the checkpoint or the log last changed on disk (their modification times).
        public var lastChange: Date?
        /// How many models have been read: it grows with every new one.
        public var generation = 0

        public init() {}

        /// The log's newest step line.
        public var lastStep: RunLog.Step? {
            for case .step(let line) in entries.reversed() { return line }
            return nil
        }
    }

    public private(set) var state = State()
    private var seen: (checkpoint: FileIdentity?, log: FileIdentity?) = (nil, nil)
    private var retry = false

    public init(path: String) {
        self.path = path
        logPath = RunLog.path(for: path)
    }

    /// Looks at the files and reads what changed; true when anything did.
    @discardableResult
    public func poll() -> Bool {
        var changed = false
        let checkpoint = FileIdentity(path: path)
        if checkpoint == nil {
            let problem = state.model == nil ? "\(path): no such file"
                : "showing the last model read: \(path) is gone (deleted or renamed)"
            changed = state.problem != problem
            state.problem = problem
        } else if checkpoint != seen.checkpoint || retry {
            seen.checkpoint = checkpoint
            changed = true
            do {
                let (model, description) = try Checkpoint.load(path: path)
                state.model = model
                state.checkpoint = description
                state.problem = nil
                state.generation += 1
                retry = false
            } catch {
                // A writer may be half-way through the file: try again at the next poll.
                let reason = (error as? LocalizedError)?.errorDescription ?? "\(error)"
                state.problem = (state.model == nil ? "" : "showing the last good model: ") + reason
                retry = true
            }
        }
        let log = FileIdentity(path: logPath)
        if log != seen.log {
            seen.log = log
            // Nothing for a missing file or one that is not regular (a FIFO could block).
            state.entries = RunLog.read(path: logPath)
            changed = true
        }
        let times = [checkpoint?.modified, log?.modified].compactMap { $0 }
        if let newest = times.max() { state.lastChange = newest }
        return changed
    }
}

/// What tells a file apart from its replacement: inode, size and modification time.
struct FileIdentity: Equatable {
    var inode: UInt64, size: Int64, seconds: Int64, nanoseconds: Int64

    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        (seconds, nanoseconds) = (Int64(status.st_mtim.tv_sec), Int64(status.st_mtim.tv_nsec))
    }

    var modified: Date { Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9) }
}
