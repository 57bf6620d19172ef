import Foundation

/// Steers a running trainer from any thread: pause, resume, cancel, and change beta live.
///
/// The trainer looks at it between steps, so a request takes effect within one step.
public final class TrainingControl: @unchecked Sendable {
    private let condition = NSCondition()
    private var isPausedValue = false
    private var isCancelledValue = false
    private var betaValue: Float

    public init(beta: Float) {
        betaValue = beta
    }

    /// Stops training after the current step; the trainer then saves and returns.
    public func cancel() {
        condition.lock()
        isCancelledValue = true
        condition.broadcast()
        condition.unlock()
    }

    /// Holds training before its next step until `resume()` or `cancel()`.
    public func pause() {
        condition.lock()
        isPausedValue = true
        condition.unlock()
    }

    /// Lets a paused trainer go on.
    public func resume() {
        condition.lock()
        isPausedValue = false
        condition.broadcast()
        condition.unlock()
    }

    /// Toggles between paused and running.
    public func togglePause() {
        condition.lock()
        isPausedValue.toggle()
        condition.broadcast()
        condition.unlock()
    }

    public var isPaused: Bool {
        condition.lock(); defer { condition.unlock() }
        return isPausedValue
    }

    public var isCancelled: Bool {
        condition.lock(); defer { condition.unlock() }
        return isCancelledValue
    }

    /// The KL weight the next step uses; must be non-negative.
    public var beta: Float {
        get { condition.lock(); defer { condition.unlock() }; return betaValue }
        set {
            precondition(newValue >= 0 && newValue.isFinite, "beta must be a non-negative number, got \(newValue)")
            condition.lock(); betaValue = newValue; condition.unlock()
        }
    }

    /// Blocks while paused; returns true when training should stop. Calls `onPause(true)` when
    /// it starts waiting and `onPause(false)` when it goes on.
    func waitWhilePaused(onPause: (Bool) -> Void) -> Bool {
        condition.lock()
        guard isPausedValue && !isCancelledValue else {
            let cancelled = isCancelledValue
            condition.unlock()
            return cancelled
        }
        condition.unlock()
        onPause(true)
        condition.lock()
        while isPausedValue && !isCancelledValue { condition.wait() }
        let cancelled = isCancelledValue
        condition.unlock()
        onPause(false)
        return cancelled
    }
}
