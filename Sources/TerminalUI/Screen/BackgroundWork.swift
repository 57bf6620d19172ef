import Dispatch
import Foundation

/// Work run on another thread, one piece at a time, its result handed to the UI thread, which
/// polls for it every frame: keys are answered while a model encodes a data set.
final class BackgroundWork<Output>: @unchecked Sendable {
    private let lock = NSLock()
    private let group = DispatchGroup()
    private var result: Output?
    private var busy = false

    /// Work is under way.
    var running: Bool { lock.withLock { busy } }
    /// A finished result waits to be taken.
    var hasResult: Bool { lock.withLock { result != nil } }

    /// Starts `work` on a worker thread.
    func start(_ work: @escaping @Sendable () -> Output) {
        lock.withLock { busy = true }
        DispatchQueue.global(qos: .userInitiated).async(group: group) { [self] in
            let made = work()
            lock.withLock {
                result = made
                busy = false
            }
        }
    }

    /// The finished result, once.
    func take() -> Output? {
        lock.withLock {
            defer { result = nil }
            return result
        }
    }

    /// Blocks until the work under way has finished (for tests).
    func wait() { group.wait() }
}
