import CKernels

// reference: https://pytorch.org/docs/stable/generated/torch.nn.ReLU.html
//            https://pytorch.org/docs/stable/generated/torch.nn.Sigmoid.html

/// y = max(x, 0), element-wise; any shape.
public final class ReLU: Layer {
    public init() {}

    public func outputShape(for input: [Int]) -> [Int] { input }

    public func forward(_ x: Tensor, into y: inout Tensor, scratch: inout Tensor) {
        applyElementwise(x, into: &y, lk_relu)
    }

    /// dx = dy where y > 0, else 0.
    public func backward(_ dy: Tensor, input x: Tensor, output y: Tensor, scratch: inout Tensor,
                         dx: inout Tensor, needsInputGradient: Bool) {
        guard needsInputGradient else { return }
        applyElementwiseBackward(dy, output: y, into: &dx, lk_relu_backward)
    }
}

/// y = 1 / (1 + e^-x), element-wise; the decoder's output non-linearity (logits to pixel means).
public final class Sigmoid: Layer {
    public init() {}

    public func outputShape(for input: [Int]) -> [Int] { input }

    public func forward(_ x: Tensor, into y: inout Tensor, scratch: inout Tensor) {
        applyElementwise(x, into: &y, lk_sigmoid)
    }

    /// dx = dy · y (1 - y).
    public func backward(_ dy: Tensor, input x: Tensor, output y: Tensor, scratch: inout Tensor,
                         dx: inout Tensor, needsInputGradient: Bool) {
        guard needsInputGradient else { return }
        applyElementwiseBackward(dy, output: y, into: &dx, lk_sigmoid_backward)
    }
}

/// y = f(x) by an element-wise kernel.
private func applyElementwise(_ x: Tensor, into y: inout Tensor,
                              _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) {
    precondition(y.count == x.count, "element-wise layer: output has \(y.count) elements, input \(x.count)")
    x.storage.withUnsafeBufferPointer { xp in
        y.storage.withUnsafeMutableBufferPointer { yp in kernel(xp.baseAddress!, yp.baseAddress!, x.count) }
    }
}

/// dx = g(dy, y) by an element-wise kernel that needs only the forward output y.
private func applyElementwiseBackward(_ dy: Tensor, output y: Tensor, into dx: inout Tensor,
                                      _ kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) {
    precondition(dx.count == dy.count && y.count == dy.count, "element-wise layer: gradient sizes differ")
    dy.storage.withUnsafeBufferPointer { dyp in
        y.storage.withUnsafeBufferPointer { yp in
            dx.storage.withUnsafeMutableBufferPointer { dxp in kernel(dyp.baseAddress!, yp.baseAddress!, dxp.baseAddress!, dy.count) }
        }
    }
}
