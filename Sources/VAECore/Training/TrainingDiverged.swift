import Foundation

/// Training stopped because the model diverged; nothing was saved after `step`.
///
/// The rule, checked after every step and before every save:
/// - a step's loss (reconstruction + beta * KL, nats per image) is NaN or infinite, or
/// - it is above `TrainingDiverged.lossLimit`: 100 times the loss of a model that knows nothing
///   (every pixel a coin flip, D ln 2 nats for D pixels; 54,343 nats for 28x28 images). A
///   plain autoencoder's loss can explode to 1e11 without ever turning NaN, and no model that
///   is still learning comes near this bound, not even in its first step; or
/// - a weight is NaN or infinite.
public struct TrainingDiverged: Error, Sendable, CustomStringConvertible {
    /// The step at which the divergence was seen.
    public let step: Int
    /// What was seen: "loss NaN", "loss 1.2e+11 nats, above the limit of 54343",
    /// "tensor 'fc1.weight' holds NaN or infinite values".
    public let reason: String

    public init(step: Int, reason: String) {
        self.step = step
        self.reason = reason
    }

    public var description: String { "training diverged at step \(step) (\(reason))" }

    /// The largest step loss, in nats per image, that is not taken as divergence.
    public static func lossLimit(for image: ImageShape) -> Double {
        100 * Double(image.pixelCount) * log(2)
    }

    /// The divergence that `loss` shows at `step`, or nil for a loss in bounds.
    static func check(loss: Double, step: Int, limit: Double) -> TrainingDiverged? {
        if !loss.isFinite { return TrainingDiverged(step: step, reason: "loss \(loss.isNaN ? "NaN" : "infinite")") }
        if loss > limit {
            return TrainingDiverged(step: step, reason: String(format: "loss %.3g nats, above the limit of %.0f", loss, limit))
        }
        return nil
    }
}
