import CKernels

// reference: https://pytorch.org/docs/stable/generated/torch.nn.Linear.html

/// A fully connected layer, `y = x Wᵀ + b`.
///
/// Legend: N = batch, I = input features, O = output features.
/// x: [N, I] (any [N, ...] with I elements per row) -> y: [N, O]; weight: [O, I]; bias: [O].
/// Initialised as PyTorch does: U(-1/√I, 1/√I) for weight and bias.
public final class Linear: Layer {
    public let inputSize: Int
    public let outputSize: Int
    public let weight: Parameter
    public let bias: Parameter

    /// A layer named `name` in checkpoints (`name.weight`, `name.bias`).
    public init(name: String, inputSize: Int, outputSize: Int, using rng: inout RandomGenerator) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        let bound = 1 / Float(inputSize).squareRoot()
        weight = Parameter(name: "\(name).weight", shape: [outputSize, inputSize], uniformBound: bound, using: &rng)
        bias = Parameter(name: "\(name).bias", shape: [outputSize], uniformBound: bound, using: &rng)
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.dropFirst().reduce(1, *) == inputSize,
                     "Linear(\(inputSize) -> \(outputSize)) given input of shape \(input)")
        return [input[0], outputSize]
    }

    /// y = x Wᵀ + b: the bias is copied into each row, then one sgemm adds x Wᵀ.
    public func forward(_ x: Tensor, into y: inout Tensor, scratch: inout Tensor) {
        let n = x.rows
        expectShape(y, [n, outputSize], "Linear output")
        let (inSize, outSize) = (inputSize, outputSize)
        x.storage.withUnsafeBufferPointer { xp in
            weight.value.storage.withUnsafeBufferPointer { wp in
                bias.value.storage.withUnsafeBufferPointer { bp in
                    y.storage.withUnsafeMutableBufferPointer { yp in
                        for row in 0..<n {
                            (yp.baseAddress! + row * outSize).update(from: bp.baseAddress!, count: outSize)
                        }
                        BLAS.sgemm(transposeA: false, transposeB: true, m: n, n: outSize, k: inSize,
                                   alpha: 1, a: xp.baseAddress!, lda: inSize, b: wp.baseAddress!, ldb: inSize,
                                   beta: 1, c: yp.baseAddress!, ldc: outSize)
                    }
                }
            }
        }
    }

    /// dW += dyᵀ x;  db += Σ_N dy;  dx = dy W.
    public func backward(_ dy: Tensor, input x: Tensor, output y: Tensor, scratch: inout Tensor,
                         dx: inout Tensor, needsInputGradient: Bool) {
        let n = x.rows
        let (inSize, outSize) = (inputSize, outputSize)
        dy.storage.withUnsafeBufferPointer { dyp in
            x.storage.withUnsafeBufferPointer { xp in
                weight.gradient.storage.withUnsafeMutableBufferPointer { dwp in
                    BLAS.sgemm(transposeA: true, transposeB: false, m: outSize, n: inSize, k: n,
                               alpha: 1, a: dyp.baseAddress!, lda: outSize, b: xp.baseAddress!, ldb: inSize,
                               beta: 1, c: dwp.baseAddress!, ldc: inSize)
                }
            }
            bias.gradient.storage.withUnsafeMutableBufferPointer { dbp in
                lk_add_column_sums(dyp.baseAddress!, dbp.baseAddress!, n, outSize)
            }
            guard needsInputGradient else { return }
            precondition(dx.count == x.count, "Linear dx: expected \(x.count) elements, got \(dx.count)")
            weight.value.storage.withUnsafeBufferPointer { wp in
                dx.storage.withUnsafeMutableBufferPointer { dxp in
                    BLAS.sgemm(transposeA: false, transposeB: false, m: n, n: inSize, k: outSize,
                               alpha: 1, a: dyp.baseAddress!, lda: outSize, b: wp.baseAddress!, ldb: inSize,
                               beta: 0, c: dxp.baseAddress!, ldc: inSize)
                }
            }
        }
    }
}
