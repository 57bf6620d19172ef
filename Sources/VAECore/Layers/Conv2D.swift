import CKernels

// reference: https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html

/// A 2-D convolution (cross-correlation, as PyTorch's Conv2d), computed as one sgemm per batch.
///
/// Legend: N = batch, C = input channels, O = output channels, k = kernel size,
/// P = output positions per image, K = C * k * k.
/// x: [N, C, H, W] -> y: [N, O, OH, OW]; weight: [O, C, k, k]; bias: [O].
/// im2col forward: columns = im2col(x) [K, N P];  Y = W [O, K] · columns -> [O, N P];  y = NCHW(Y) + b.
/// With many channels on both sides the phase-grid algorithm (Conv2D+PhaseGEMM.swift) is used.
public final class Conv2D: ConvolutionLayer {
    public let geometry: ConvGeometry
    public let outputChannels: Int
    public let weight: Parameter
    public let bias: Parameter
    public let algorithm: ConvolutionAlgorithm
    let phaseGrid: PhaseGrid
    /// The weights one matrix per tap, for the phase-grid algorithm.
    let packedTaps: PackedTaps

    /// A convolution over `inputChannels` x `height` x `width` images, named `name` in checkpoints.
    /// Initialised as PyTorch does: U(-1/√(C k²), 1/√(C k²)).
    /// `algorithm` nil picks the faster one for the channel counts.
    public init(name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int,
                padding: Int, height: Int, width: Int, algorithm: ConvolutionAlgorithm? = nil,
                using rng: inout RandomGenerator) {
        geometry = ConvGeometry(channels: inputChannels, height: height, width: width,
                                kernel: kernelSize, stride: stride, padding: padding)
        phaseGrid = PhaseGrid(geometry)
        packedTaps = PackedTaps(taps: kernelSize * kernelSize, rows: outputChannels, columns: inputChannels)
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

    /// columns = im2col(x) [K, N P];  Y = W [O, K] · columns;  y = NCHW(Y) + b.
    func forwardIm2col(_ b: ConvolutionForwardBuffers, batch n: Int) {
        let g = geometry
        let (kRows, np, outC) = (g.columnRows, n * g.positions, outputChannels)
        let columns = b.scratch, product = columns + kRows * np
        g.im2col(image: b.x, batch: n, columns: columns)
        BLAS.sgemm(transposeA: false, transposeB: false, m: outC, n: np, k: kRows,
                   alpha: 1, a: b.weight, lda: kRows, b: columns, ldb: np, beta: 0, c: product, ldc: np)
        ChannelLayout.toBatchMajor(product, b.y, batch: n, channels: outC, positions: g.positions, bias: b.bias)
    }

    /// dY = channel-major dy;  dW += dY · columnsᵀ;  db += Σ dY;  dx = col2im(Wᵀ · dY).
    func backwardIm2col(_ b: ConvolutionBackwardBuffers, batch n: Int) {
        let g = geometry
        let (kRows, np, outC) = (g.columnRows, n * g.positions, outputChannels)
        let columns = b.scratch, dProduct = columns + kRows * np
        ChannelLayout.toChannelMajor(b.dy, dProduct, batch: n, channels: outC, positions: g.positions)
        BLAS.sgemm(transposeA: false, transposeB: true, m: outC, n: kRows, k: np,
                   alpha: 1, a: dProduct, lda: np, b: columns, ldb: np, beta: 1, c: b.dWeight, ldc: kRows)
        lk_add_row_sums(dProduct, b.dBias, outC, np)
        guard let dx = b.dx else { return }
        // The columns are no longer needed: their space takes dColumns = Wᵀ dY.
        BLAS.sgemm(transposeA: true, transposeB: false, m: kRows, n: np, k: outC,
                   alpha: 1, a: b.weight, lda: kRows, b: dProduct, ldb: np, beta: 0, c: columns, ldc: np)
        dx.update(repeating: 0, count: n * g.imageSize)
        g.col2im(columns: columns, batch: n, image: dx)
    }
}
