import CKernels

// reference: https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html

/// A 2-D transposed convolution (PyTorch's ConvTranspose2d): the adjoint of a convolution,
/// computed as one sgemm and a col2im per batch.
///
/// Legend: N = batch, I = input channels, O = output channels, k = kernel size,
/// P = input positions per image, K = O * k * k.
/// x: [N, I, H, W] -> y: [N, O, OH, OW], OH = (H - 1) stride - 2 padding + k + outputPadding;
/// weight: [I, O, k, k] (PyTorch layout); bias: [O].
/// im2col forward: X = channel-major x [I, N P];  columns = Wᵀ · X [K, N P];  y = col2im(columns) + b.
/// With many channels on both sides the phase-grid algorithm (ConvTranspose2D+PhaseGEMM.swift) is used.
public final class ConvTranspose2D: Layer {
    /// The geometry of the convolution this layer transposes: image side = this layer's output.
    public let geometry: ConvGeometry
    public let inputChannels: Int
    public let weight: Parameter
    public let bias: Parameter
    public let algorithm: ConvolutionAlgorithm
    let phaseGrid: PhaseGrid

    /// A transposed convolution over `inputChannels` x `height` x `width` inputs.
    /// Initialised as PyTorch does, whose fan-in for this layer is O k² (weight dimension 1).
    /// `algorithm` nil picks the faster one for the channel counts.
    public init(name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int,
                padding: Int, outputPadding: Int, height: Int, width: Int, algorithm: ConvolutionAlgorithm? = nil,
                using rng: inout RandomGenerator) {
        precondition(outputPadding >= 0 && outputPadding < max(stride, 1),
                     "output padding \(outputPadding) must be smaller than stride \(stride)")
        let outHeight = (height - 1) * stride - 2 * padding + kernelSize + outputPadding
        let outWidth = (width - 1) * stride - 2 * padding + kernelSize + outputPadding
        geometry = ConvGeometry(channels: outputChannels, height: outHeight, width: outWidth,
                                kernel: kernelSize, stride: stride, padding: padding)
        precondition(geometry.outHeight == height && geometry.outWidth == width,
                     "transposed geometry mismatch for \(height)x\(width) input")
        phaseGrid = PhaseGrid(geometry)
        self.algorithm = algorithm ?? .automatic(inputChannels: inputChannels, outputChannels: outputChannels)
        self.inputChannels = inputChannels
        let bound = 1 / Float(geometry.columnRows).squareRoot()
        weight = Parameter(name: "\(name).weight", shape: [inputChannels, outputChannels, kernelSize, kernelSize],
                           uniformBound: bound, using: &rng)
        bias = Parameter(name: "\(name).bias", shape: [outputChannels], uniformBound: bound, using: &rng)
    }

    public var parameters: [Parameter] { [weight, bias] }

    /// Output channels.
    public var outputChannels: Int { geometry.channels }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.dropFirst().reduce(1, *) == inputChannels * geometry.positions,
                     "ConvTranspose2D expects \(inputChannels)x\(geometry.outHeight)x\(geometry.outWidth) inputs, got \(input)")
        return [input[0], geometry.channels, geometry.height, geometry.width]
    }

    /// im2col: channel-major input [I, N P], then columns [K, N P]; phase grids: see phaseScratchCount.
    public func scratchCount(batchSize: Int) -> Int {
        switch algorithm {
        case .im2col: return (inputChannels + geometry.columnRows) * batchSize * geometry.positions
        case .phaseGEMM: return phaseScratchCount(batchSize: batchSize)
        }
    }

    public func forward(_ x: Tensor, into y: inout Tensor, scratch: inout Tensor) {
        let n = x.rows
        let g = geometry
        let (kRows, np, inC) = (g.columnRows, n * g.positions, inputChannels)
        expectShape(y, outputShape(for: x.shape), "ConvTranspose2D output")
        precondition(scratch.count >= scratchCount(batchSize: n), "ConvTranspose2D scratch too small for batch \(n)")
        x.storage.withUnsafeBufferPointer { xp in
            weight.value.storage.withUnsafeBufferPointer { wp in
                bias.value.storage.withUnsafeBufferPointer { bp in
                    scratch.storage.withUnsafeMutableBufferPointer { sp in
                        y.storage.withUnsafeMutableBufferPointer { yp in
                            if algorithm == .phaseGEMM {
                                return forwardPhaseGEMM(xp.baseAddress!, batch: n, y: yp.baseAddress!, scratch: sp.baseAddress!,
                                                        weight: wp.baseAddress!, bias: bp.baseAddress!)
                            }
                            let channelMajor = sp.baseAddress!
                            let columns = channelMajor + inC * np
                            ChannelLayout.toChannelMajor(xp.baseAddress!, channelMajor, batch: n,
                                                         channels: inC, positions: g.positions)
                            BLAS.sgemm(transposeA: true, transposeB: false, m: kRows, n: np, k: inC,
                                       alpha: 1, a: wp.baseAddress!, lda: kRows, b: channelMajor, ldb: np,
                                       beta: 0, c: columns, ldc: np)
                            let planeSize = g.height * g.width
                            for image in 0..<n {
                                for c in 0..<g.channels {
                                    (yp.baseAddress! + (image * g.channels + c) * planeSize)
                                        .update(repeating: bp[c], count: planeSize)
                                }
                            }
                            g.col2im(columns: columns, batch: n, image: yp.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// dColumns = im2col(dy);  dW += X · dColumnsᵀ;  db += Σ dy;  dx = NCHW(W · dColumns).
    public func backward(_ dy: Tensor, input x: Tensor, output y: Tensor, scratch: inout Tensor,
                         dx: inout Tensor, needsInputGradient: Bool) {
        let n = x.rows
        let g = geometry
        let (kRows, np, inC) = (g.columnRows, n * g.positions, inputChannels)
        dy.storage.withUnsafeBufferPointer { dyp in
            scratch.storage.withUnsafeMutableBufferPointer { sp in
                if algorithm == .phaseGEMM {
                    return backwardPhaseGEMM(dyp.baseAddress!, batch: n, scratch: sp.baseAddress!, needsInputGradient: needsInputGradient, dx: &dx)
                }
                let channelMajor = sp.baseAddress!
                let dColumns = channelMajor + inC * np
                g.im2col(image: dyp.baseAddress!, batch: n, columns: dColumns)
                weight.gradient.storage.withUnsafeMutableBufferPointer { dwp in
                    BLAS.sgemm(transposeA: false, transposeB: true, m: inC, n: kRows, k: np,
                               alpha: 1, a: channelMajor, lda: np, b: dColumns, ldb: np,
                               beta: 1, c: dwp.baseAddress!, ldc: kRows)
                }
                bias.gradient.storage.withUnsafeMutableBufferPointer { dbp in
                    let planeSize = g.height * g.width
                    for image in 0..<n {
                        lk_add_row_sums(dyp.baseAddress! + image * g.channels * planeSize,
                                        dbp.baseAddress!, g.channels, planeSize)
                    }
                }
                guard needsInputGradient else { return }
                // The channel-major input is no longer needed: its space takes dX = W · dColumns.
                weight.value.storage.withUnsafeBufferPointer { wp in
                    BLAS.sgemm(transposeA: false, transposeB: false, m: inC, n: np, k: kRows,
                               alpha: 1, a: wp.baseAddress!, lda: kRows, b: dColumns, ldb: np,
                               beta: 0, c: channelMajor, ldc: np)
                }
                dx.storage.withUnsafeMutableBufferPointer { dxp in
                    ChannelLayout.toBatchMajor(channelMajor, dxp.baseAddress!, batch: n,
                                               channels: inC, positions: g.positions)
                }
            }
        }
    }
}
