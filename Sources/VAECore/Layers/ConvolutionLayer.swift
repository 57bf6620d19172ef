/// What Conv2D and ConvTranspose2D share: parameters, a choice of algorithm, and the
/// forward/backward pair that dispatches to it.
protocol ConvolutionLayer: Layer {
    var weight: Parameter { get }
    var bias: Parameter { get }
    var algorithm: ConvolutionAlgorithm { get }
    func forwardIm2col(_ buffers: ConvolutionForwardBuffers, batch n: Int)
    func backwardIm2col(_ buffers: ConvolutionBackwardBuffers, batch n: Int)
    func forwardPhaseGEMM(_ buffers: ConvolutionForwardBuffers, batch n: Int)
    func backwardPhaseGEMM(_ buffers: ConvolutionBackwardBuffers, batch n: Int)
}

extension ConvolutionLayer {
    public func forward(_ x: Tensor, into y: inout Tensor, scratch: inout Tensor) {
        let n = x.rows
        expectShape(y, outputShape(for: x.shape), "\(type(of: self)) output")
        precondition(scratch.count >= scratchCount(batchSize: n), "\(type(of: self)) scratch too small for batch \(n)")
        ConvolutionForwardBuffers.with(x: x, y: &y, scratch: &scratch, weight: weight, bias: bias) { buffers in
            switch algorithm {
            case .im2col: forwardIm2col(buffers, batch: n)
            case .phaseGEMM: forwardPhaseGEMM(buffers, batch: n)
            }
        }
    }

    public func backward(_ dy: Tensor, input x: Tensor, output y: Tensor, scratch: inout Tensor,
                         dx: inout Tensor, needsInputGradient: Bool) {
        let n = x.rows
        ConvolutionBackwardBuffers.with(dy: dy, scratch: &scratch, weight: weight, bias: bias, dx: &dx,
                                        needsInputGradient: needsInputGradient) { buffers in
            switch algorithm {
            case .im2col: backwardIm2col(buffers, batch: n)
            case .phaseGEMM: backwardPhaseGEMM(buffers, batch: n)
            }
        }
    }
}

/// The raw storage a convolution's forward pass reads and writes, reached once per call.
struct ConvolutionForwardBuffers {
    let x: UnsafePointer<Float>
    let y: UnsafeMutablePointer<Float>
    let scratch: UnsafeMutablePointer<Float>
    let weight: UnsafePointer<Float>
    let bias: UnsafePointer<Float>

    /// Opens the storage of the tensors and parameters for the duration of `body`.
    static func with(x: Tensor, y: inout Tensor, scratch: inout Tensor, weight: Parameter, bias: Parameter,
                     _ body: (ConvolutionForwardBuffers) -> Void) {
        x.storage.withUnsafeBufferPointer { xp in
            weight.value.storage.withUnsafeBufferPointer { wp in
                bias.value.storage.withUnsafeBufferPointer { bp in
                    scratch.storage.withUnsafeMutableBufferPointer { sp in
                        y.storage.withUnsafeMutableBufferPointer { yp in
                            body(ConvolutionForwardBuffers(x: xp.baseAddress!, y: yp.baseAddress!, scratch: sp.baseAddress!,
                                                           weight: wp.baseAddress!, bias: bp.baseAddress!))
                        }
                    }
                }
            }
        }
    }
}

/// The raw storage a convolution's backward pass reads and writes; `dx` is nil when the input
/// gradient is not wanted.
struct ConvolutionBackwardBuffers {
    let dy: UnsafePointer<Float>
    let scratch: UnsafeMutablePointer<Float>
    let weight: UnsafePointer<Float>
    let dWeight: UnsafeMutablePointer<Float>
    let dBias: UnsafeMutablePointer<Float>
    let dx: UnsafeMutablePointer<Float>?

    /// Opens the storage of the tensors and parameters for the duration of `body`.
    static func with(dy: Tensor, scratch: inout Tensor, weight: Parameter, bias: Parameter, dx: inout Tensor,
                     needsInputGradient: Bool, _ body: (ConvolutionBackwardBuffers) -> Void) {
        dy.storage.withUnsafeBufferPointer { dyp in
            scratch.storage.withUnsafeMutableBufferPointer { sp in
                weight.value.storage.withUnsafeBufferPointer { wp in
                    weight.gradient.storage.withUnsafeMutableBufferPointer { dwp in
                        bias.gradient.storage.withUnsafeMutableBufferPointer { dbp in
                            dx.storage.withUnsafeMutableBufferPointer { dxp in
                                body(ConvolutionBackwardBuffers(
                                    dy: dyp.baseAddress!, scratch: sp.baseAddress!, weight: wp.baseAddress!,
                                    dWeight: dwp.baseAddress!, dBias: dbp.baseAddress!,
                                    dx: needsInputGradient ? dxp.baseAddress! : nil))
                            }
                        }
                    }
                }
            }
        }
    }
}
