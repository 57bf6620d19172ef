import CKernels

// reference: https://pytorch.org/docs/stable/generated/torch.nn.ReLU.html
//            https://pytorch.org/docs/stable/generated/torch.nn.Sigmoid.html

/// y = max(x, 0), element-wise; any shape.
public final class ReLU: Layer {
    public init() {}

    public func outputShape(for input: [Int]) -> [Int] { input }

    public func forward(_ x: Tensor, into y: inout Tensor, scratch: inout Tensor) {
        precondition(y.count == x.count, "ReLU: output has \(y.count) elements, input \(x.count)")
        x.storage.withUnsafeBufferPointer { xp in
            y.storage.withUnsafeMutableBufferPointer { yp in
                lk_relu(xp.baseAddress!, yp.baseAddress!, x.count)
            }
        }
    }

    /// dx = dy where y > 0, else 0.
    public func backward(_ dy: Tensor, input x: Tensor, output y: Tensor, scratch: inout Tensor,
                         dx: inout Tensor, needsInputGradient: Bool) {
        guard needsInputGradient else { return }
        dy.storage.withUnsafeBufferPointer { dyp in
            y.storage.withUnsafeBufferPointer { yp in
                dx.storage.withUnsafeMutableBufferPointer { dxp in
                    lk_relu_backward(dyp.baseAddress!, yp.baseAddress!, dxp.baseAddress!, x.count)
                }
            }
        }
    }
}

/// y = 1 / (1 + e^-x), element-wise; the decoder's output non-linearity (logits to pixel means).
public final class Sigmoid: Layer {
    public init() {}

    public func outputShape(for input: [Int]) -> [Int] { input }

    public func forward(_ x: Tensor, into y: inout Tensor, scratch: inout Tensor) {
        precondition(y.count == x.count, "Sigmoid: output has \(y.count) elements, input \(x.count)")
        x.storage.withUnsafeBufferPointer { xp in
            y.storage.withUnsafeMutableBufferPointer { yp in
                lk_sigmoid(xp.baseAddress!, yp.baseAddress!, x.count)
            }
        }
    }

    /// dx = dy · y (1 - y).
    public func backward(_ dy: Tensor, input x: Tensor, output y: Tensor, scratch: inout Tensor,
                         dx: inout Tensor, needsInputGradient: Bool) {
        guard needsInputGradient else { return }
        dy.storage.withUnsafeBufferPointer { dyp in
            y.storage.withUnsafeBufferPointer { yp in
                dx.storage.withUnsafeMutableBufferPointer { dxp in
                    lk_sigmoid_backward(dyp.baseAddress!, yp.baseAddress!, dxp.baseAddress!, x.count)
                }
            }
        }
    }
}
