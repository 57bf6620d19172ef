import Foundation

/// Steers a running trainer from any thread: pause, resume, cancel, save now, and change beta
/// live.
///
/// The trainer looks at it between steps, so a request takes effect within one step.
public final class TrainingControl: @unchecked Sendable {
    private let condition = NSCondition()
    private var isPausedValue = false
    private var isCancelledValue = false
    private var saveRequested = false
    /// The trainer has reported that it is paused (`.paused(true)`) and not yet that it goes on.
    private var pauseReported = false
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

    /// Asks the trainer to write a checkpoint between two steps (paused or not): the save then
    /// runs on the training thread, so it never races the end-of-epoch save.
    public func requestSave() {
        condition.lock()
        saveRequested = true
        condition.broadcast()
        condition.unlock()
    }

    /// What the trainer does next.
    enum Next { case step, save, stop }

    /// Blocks while paused, until a save request, a cancel or resume; calls `onPause(true)` when
    /// a pause starts being waited out and `onPause(false)` when training goes on.
    func next(onPause: (Bool) -> Void) -> Next {
        condition.lock()
        while true {
            if isCancelledValue {
                condition.unlock()
                return .stop
            }
            if saveRequested {
                saveRequested = false
                condition.unlock()
                return .save
            }
            if !isPausedValue {
                let wasReported = pauseReported
                pauseReported = false
                condition.unlock()
                if wasReported { onPause(false) }
                return .step
            }
            if !pauseReported {
                pauseReported = true
                condition.unlock()
                onPause(true)
                condition.lock()
                continue
            }
            condition.wait()
        }
    }
}
