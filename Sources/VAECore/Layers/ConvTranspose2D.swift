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
public final class ConvTranspose2D: ConvolutionLayer {
    /// The geometry of the convolution this layer transposes: image side = this layer's output.
    public let geometry: ConvGeometry
    public let inputChannels: Int
    public let weight: Parameter
    public let bias: Parameter
    public let algorithm: ConvolutionAlgorithm
    let phaseGrid: PhaseGrid
    /// The weights one matrix per tap, for the phase-grid algorithm.
    let packedTaps: PackedTaps

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
        packedTaps = PackedTaps(taps: kernelSize * kernelSize, rows: outputChannels, columns: inputChannels)
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

    /// X = channel-major x [I, N P];  columns = Wᵀ · X [K, N P];  y = col2im(columns) + b.
    func forwardIm2col(_ b: ConvolutionForwardBuffers, batch n: Int) {
        let g = geometry
        let (kRows, np, inC) = (g.columnRows, n * g.positions, inputChannels)
        let channelMajor = b.scratch, columns = channelMajor + inC * np
        ChannelLayout.toChannelMajor(b.x, channelMajor, batch: n, channels: inC, positions: g.positions)
        BLAS.sgemm(transposeA: true, transposeB: false, m: kRows, n: np, k: inC,
                   alpha: 1, a: b.weight, lda: kRows, b: channelMajor, ldb: np, beta: 0, c: columns, ldc: np)
        let planeSize = g.height * g.width
        for image in 0..<n {
            for c in 0..<g.channels {
                (b.y + (image * g.channels + c) * planeSize).update(repeating: b.bias[c], count: planeSize)
            }
        }
        g.col2im(columns: columns, batch: n, image: b.y)
    }

    /// dColumns = im2col(dy);  dW += X · dColumnsᵀ;  db += Σ dy;  dx = NCHW(W · dColumns).
    func backwardIm2col(_ b: ConvolutionBackwardBuffers, batch n: Int) {
        let g = geometry
        let (kRows, np, inC) = (g.columnRows, n * g.positions, inputChannels)
        let channelMajor = b.scratch, dColumns = channelMajor + inC * np
        g.im2col(image: b.dy, batch: n, columns: dColumns)
        BLAS.sgemm(transposeA: false, transposeB: true, m: inC, n: kRows, k: np,
                   alpha: 1, a: channelMajor, lda: np, b: dColumns, ldb: np, beta: 1, c: b.dWeight, ldc: kRows)
        let planeSize = g.height * g.width
        for image in 0..<n {
            lk_add_row_sums(b.dy + image * g.channels * planeSize, b.dBias, g.channels, planeSize)
        }
        guard let dx = b.dx else { return }
        // The channel-major input is no longer needed: its space takes dX = W · dColumns.
        BLAS.sgemm(transposeA: false, transposeB: false, m: inC, n: np, k: kRows,
                   alpha: 1, a: b.weight, lda: kRows, b: dColumns, ldb: np, beta: 0, c: channelMajor, ldc: np)
        ChannelLayout.toBatchMajor(channelMajor, dx, batch: n, channels: inC, positions: g.positions)
    }
}
