import CKernels
import Foundation

// reference: Kingma & Ba 2014, https://arxiv.org/abs/1412.6980;
//            https://pytorch.org/docs/stable/generated/torch.optim.Adam.html

/// Adam with PyTorch's defaults (lr 1e-3, betas 0.9 / 0.999, eps 1e-8) and its bias correction.
public final class Adam {
    /// Hyper-parameters; the defaults are PyTorch's.
    public struct Settings: Equatable, Sendable, Codable {
        public var learningRate: Float = 1e-3  // step size
        public var beta1: Float = 0.9          // decay of the first-moment average
        public var beta2: Float = 0.999        // decay of the second-moment average
        public var epsilon: Float = 1e-8       // added to sqrt(v) to avoid division by zero

        public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
        }
    }

    public var settings: Settings
    /// The parameters this optimiser updates.
    public let parameters: [Parameter]
    /// First-moment (m) and second-moment (v) averages, one per parameter.
    private var firstMoments: [Tensor]
    private var secondMoments: [Tensor]
    /// Steps taken so far (t in the paper).
    public private(set) var step = 0

    public init(parameters: [Parameter], settings: Settings = Settings()) {
        self.parameters = parameters
        self.settings = settings
        firstMoments = parameters.map { Tensor(zeros: $0.value.shape) }
        secondMoments = firstMoments
    }

    /// Applies one update from the accumulated gradients:
    /// ```
    /// m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g²
    /// p -= lr / (1 - b1^t) · m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    /// ```
    public func update() {
        step += 1
        let s = settings
        let bc1 = 1 - pow(s.beta1, Float(step))
        let bc2 = 1 - pow(s.beta2, Float(step))
        for (i, parameter) in parameters.enumerated() {
            parameter.value.storage.withUnsafeMutableBufferPointer { p in
                parameter.gradient.storage.withUnsafeBufferPointer { g in
                    firstMoments[i].storage.withUnsafeMutableBufferPointer { m in
                        secondMoments[i].storage.withUnsafeMutableBufferPointer { v in
                            lk_adam(p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!, p.count,
                                    s.learningRate, s.beta1, s.beta2, s.epsilon, bc1, bc2)
                        }
                    }
                }
            }
        }
    }
}

private func pow(_ base: Float, _ exponent: Float) -> Float {
    Float(Foundation.pow(Double(base), Double(exponent)))
}
