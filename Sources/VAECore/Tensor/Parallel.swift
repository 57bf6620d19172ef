import Dispatch
import Foundation

/// Splits loops that are not matrix products over the machine's cores.
///
/// OpenBLAS already uses every core inside each product; between products the cores would
/// otherwise idle while one thread does im2col, col2im and layout changes.
public enum Parallel {
    /// Calls `body(range)` for disjoint ranges covering 0..<count, in parallel when the loop
    /// is big enough (`count * costPerItem` elements of work) to pay for the hand-off.
    @inline(__always)
    public static func forEachRange(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        // As many workers as BLAS threads, so `--threads` bounds both.
        let parts = min(BLAS.threads, count)
        guard parts > 1, count * costPerItem >= 32_768 else {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            // The ranges are disjoint; callers write only inside their own range.
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                shared.value(count * part / parts ..< count * (part + 1) / parts)
            }
        }
    }
}

extension Parallel {
    /// Calls `body(i)` for every i in 0..<count on `workers` threads (every core by default),
    /// each taking the next index when it is free: for work of uneven cost such as reading
    /// files. `progress(done)` hears the count done after each item, from the workers, one call
    /// at a time. When a call throws, no new item starts and the error of the lowest index
    /// that failed is rethrown, so the same folder fails the same way every time.
    public static func forEachItem(_ count: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                                   progress: ((Int) -> Void)? = nil, _ body: (Int) throws -> Void) throws {
        let state = ItemQueue()
        withoutActuallyEscaping(body) { body in
            withoutActuallyEscaping(progress ?? { _ in }) { progress in
                let shared = UncheckedSendable((body, progress))
                DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
                    while let index = state.next(below: count) {
                        do {
                            try shared.value.0(index)
                            state.finished { shared.value.1($0) }
                        } catch {
                            state.failed(index, error)
                        }
                    }
                }
            }
        }
        if let error = state.firstError { throw error }
    }
}

/// The shared counters of `Parallel.forEachItem`.
private final class ItemQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = 0, done = 0
    private var failure: (index: Int, error: Error)?

    func next(below count: Int) -> Int? {
        lock.withLock {
            guard failure == nil, claimed < count else { return nil }
            claimed += 1
            return claimed - 1
        }
    }

    func finished(_ report: (Int) -> Void) {
        lock.withLock {
            done += 1
            report(done)
        }
    }

    func failed(_ index: Int, _ error: Error) {
        lock.withLock {
            if failure == nil || index < failure!.index { failure = (index, error) }
        }
    }

    var firstError: Error? { lock.withLock { failure?.error } }
}

/// Carries a value into a concurrent closure whose caller guarantees there is no data race.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
