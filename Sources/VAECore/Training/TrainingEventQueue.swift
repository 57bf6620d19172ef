import Foundation

/// Hands training events from the training thread to a UI thread that polls.
///
/// Add `receive` as a trainer listener; the UI calls `drain()` once per frame. Step events are
/// kept in full (a chart needs every point); the queue holds at most `capacity` events, dropping
/// the oldest steps first if the UI falls behind.
public final class TrainingEventQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [TrainingEvent] = []
    private let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Called on the training thread.
    public func receive(_ event: TrainingEvent) {
        lock.withLock {
            events.append(event)
            if events.count > capacity, let index = events.firstIndex(where: { if case .step = $0 { return true }; return false }) {
                events.remove(at: index)
            }
        }
    }

    /// Everything received since the last call, oldest first.
    public func drain() -> [TrainingEvent] {
        lock.withLock {
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }
}
