import Foundation

/// A flag set once from any thread (a signal handler's queue) and read by the UI thread: the
/// terminal hung up, or a signal asks the app to quit.
public final class SignalFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    public init() {}

    public var isSet: Bool { lock.withLock { value } }

    public func set() { lock.withLock { value = true } }
}
