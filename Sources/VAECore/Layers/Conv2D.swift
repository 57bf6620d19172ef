import CKernels

// reference: https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html

/// A 2-D convolution (cross-correlation, as PyTorch's Conv2d), computed as one sgemm per batch.
///
/// Legend: N = batch, C = input channels, O = output channels, k = kernel size,
/// P = output positions per image, K = C * k * k.
/// x: [N, C, H, W] -> y: [N, O, OH, OW]; weight: [O, C, k, k]; bias: [O].
/// im2col forward: columns = im2col(x) [K, N P];  Y = W [O, K] · columns -> [O, N P];  y = NCHW(Y) + b.
/// With many channels on both sides the phase-grid algorithm (Conv2D+PhaseGEMM.swift) is used.
public final class Conv2D: Layer {
    public let geometry: ConvGeometry
    public let outputChannels: Int
    public let weight: Parameter
    public let bias: Parameter
    public let algorithm: ConvolutionAlgorithm
    let phaseGrid: PhaseGrid

    /// A convolution over `inputChannels` x `height` x `width` images, named `name` in checkpoints.
    /// Initialised as PyTorch does: U(-1/√(C k²), 1/√(C k²)).
    /// `algorithm` nil picks the faster one for the channel counts.
    public init(name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int,
                padding: Int, height: Int, width: Int, algorithm: ConvolutionAlgorithm? = nil,
                using rng: inout RandomGenerator) {
        geometry = ConvGeometry(channels: inputChannels, height: height, width: width,
                                kernel: kernelSize, stride: stride, padding: padding)
        phaseGrid = PhaseGrid(geometry)
        self.algorithm = algorithm ?? .automatic(inputChannels: inputChannels, outputChannels: outputChannels)
        self.outputChannels = outputChannels
        let bound = 1 / Float(geometry.columnRows).squareRoot()
        weight = Parameter(name: "\(name).weight", shape: [outputChannels, inputChannels, kernelSize, kernelSize],
                           uniformBound: bound, using: &rng)
        bias = Parameter(name: "\(name).bias", shape: [outputChannels], uniformBound: bound, using: &rng)
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.dropFirst().reduce(1, *) == geometry.imageSize,
                     "Conv2D expects \(geometry.channels)x\(geometry.height)x\(geometry.width) images, got \(input)")
        return [input[0], outputChannels, geometry.outHeight, geometry.outWidth]
    }

    /// im2col: columns [K, N P], then the product [O, N P]; phase grids: see phaseScratchCount.
    public func scratchCount(batchSize: Int) -> Int {
        switch algorithm {
        case .im2col: return (geometry.columnRows + outputChannels) * batchSize * geometry.positions
        case .phaseGEMM: return phaseScratchCount(batchSize: batchSize)
        }
    }

    public func forward(_ x: Tensor, into y: inout Tensor, scratch: inout Tensor) {
        let n = x.rows
        let g = geometry
        let (kRows, np, outC) = (g.columnRows, n * g.positions, outputChannels)
        expectShape(y, outputShape(for: x.shape), "Conv2D output")
        precondition(scratch.count >= scratchCount(batchSize: n), "Conv2D scratch too small for batch \(n)")
        x.storage.withUnsafeBufferPointer { xp in
            weight.value.storage.withUnsafeBufferPointer { wp in
                bias.value.storage.withUnsafeBufferPointer { bp in
                    scratch.storage.withUnsafeMutableBufferPointer { sp in
                        y.storage.withUnsafeMutableBufferPointer { yp in
                            if algorithm == .phaseGEMM {
                                return forwardPhaseGEMM(xp.baseAddress!, batch: n, y: yp.baseAddress!, scratch: sp.baseAddress!,
                                                        weight: wp.baseAddress!, bias: bp.baseAddress!)
                            }
                            let columns = sp.baseAddress!
                            let product = columns + kRows * np
                            g.im2col(image: xp.baseAddress!, batch: n, columns: columns)
                            BLAS.sgemm(transposeA: false, transposeB: false, m: outC, n: np, k: kRows,
                                       alpha: 1, a: wp.baseAddress!, lda: kRows, b: columns, ldb: np,
                                       beta: 0, c: product, ldc: np)
                            ChannelLayout.toBatchMajor(product, yp.baseAddress!, batch: n, channels: outC,
                                                       positions: g.positions, bias: bp.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// dY = channel-major dy;  dW += dY · columnsᵀ;  db += Σ dY;  dx = col2im(Wᵀ · dY).
    public func backward(_ dy: Tensor, input x: Tensor, output y: Tensor, scratch: inout Tensor,
                         dx: inout Tensor, needsInputGradient: Bool) {
        let n = x.rows
        let g = geometry
        let (kRows, np, outC) = (g.columnRows, n * g.positions, outputChannels)
        dy.storage.withUnsafeBufferPointer { dyp in
            scratch.storage.withUnsafeMutableBufferPointer { sp in
                if algorithm == .phaseGEMM {
                    return backwardPhaseGEMM(dyp.baseAddress!, batch: n, scratch: sp.baseAddress!, needsInputGradient: needsInputGradient, dx: &dx)
                }
                let columns = sp.baseAddress!
                let dProduct = columns + kRows * np
                ChannelLayout.toChannelMajor(dyp.baseAddress!, dProduct, batch: n, channels: outC,
                                             positions: g.positions)
                weight.gradient.storage.withUnsafeMutableBufferPointer { dwp in
                    BLAS.sgemm(transposeA: false, transposeB: true, m: outC, n: kRows, k: np,
                               alpha: 1, a: dProduct, lda: np, b: columns, ldb: np,
                               beta: 1, c: dwp.baseAddress!, ldc: kRows)
                }
                bias.gradient.storage.withUnsafeMutableBufferPointer { dbp in
                    lk_add_row_sums(dProduct, dbp.baseAddress!, outC, np)
                }
                guard needsInputGradient else { return }
                // The columns are no longer needed: their space takes dColumns = Wᵀ dY.
                weight.value.storage.withUnsafeBufferPointer { wp in
                    BLAS.sgemm(transposeA: true, transposeB: false, m: kRows, n: np, k: outC,
                               alpha: 1, a: wp.baseAddress!, lda: kRows, b: dProduct, ldb: np,
                               beta: 0, c: columns, ldc: np)
                }
                dx.zero()
                dx.storage.withUnsafeMutableBufferPointer { dxp in
                    g.col2im(columns: columns, batch: n, image: dxp.baseAddress!)
                }
            }
        }
    }
}
