import Dispatch

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

/// Carries a value into a concurrent closure whose caller guarantees there is no data race.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
