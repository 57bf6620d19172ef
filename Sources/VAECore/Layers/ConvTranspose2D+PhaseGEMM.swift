import CKernels

/// ConvTranspose2D on phase grids: one sgemm per kernel tap, no col2im (see `PhaseGrid`).
/// Legend: N = batch, I = input channels, O = output channels, R = grid row length, L = span.
/// Scratch: input grid [I, R] | output phases [s², O, R] | the packed weights' gradient [k², O, I];
/// the packed weights themselves are kept by the layer (`PackedTaps`).
extension ConvTranspose2D {
    func phaseScratchCount(batchSize n: Int) -> Int {
        let grid = phaseGrid
        let r = grid.rowLength(batch: n)
        return inputChannels * r + grid.phaseCount * outputChannels * r + grid.taps * outputChannels * inputChannels
    }

    /// Output channel o, input channel i of the weight [I, O, k, k].
    private var weightStrides: PhaseGrid.WeightStrides {
        let taps = geometry.kernel * geometry.kernel
        return .init(row: taps, column: outputChannels * taps)
    }

    /// Y_phase[:, grid + d] += W_tap [O, I] · X[:, grid];  y = the phases joined + b.
    func forwardPhaseGEMM(_ buffers: ConvolutionForwardBuffers, batch n: Int) {
        let (x, y, scratch, weight, bias) = (buffers.x, buffers.y, buffers.scratch, buffers.weight, buffers.bias)
        let grid = phaseGrid
        let (i, o, r, span) = (inputChannels, outputChannels, grid.rowLength(batch: n), grid.span(batch: n))
        let input = scratch, phases = input + i * r
        let packed = packedTaps.matrices(of: self.weight, storage: weight, grid: grid, rows: o, columns: i, strides: weightStrides)
        grid.positionsToGrid(x, batch: n, channels: i, grid: input)
        phases.update(repeating: 0, count: grid.phaseCount * o * r)
        for ky in 0..<geometry.kernel { for kx in 0..<geometry.kernel {
            let t = ky * geometry.kernel + kx
            let (phase, shift) = grid.tap(ky, kx)
            BLAS.sgemm(transposeA: false, transposeB: false, m: o, n: span, k: i,
                       alpha: 1, a: packed + t * o * i, lda: i, b: input, ldb: r,
                       beta: 1, c: phases + phase * o * r + shift, ldc: r)
        } }
        grid.phasesToImage(phases, batch: n, channels: o, bias: bias, image: y)
    }

    /// dW_tap = dY_phase (shifted) · Xᵀ;  db = Σ dY;  dX = Σ_taps W_tapᵀ · dY_phase[:, grid + d].
    func backwardPhaseGEMM(_ buffers: ConvolutionBackwardBuffers, batch n: Int) {
        let (dy, scratch, dWeight, dBias, dx) = (buffers.dy, buffers.scratch, buffers.dWeight, buffers.dBias, buffers.dx)
        let grid = phaseGrid
        let (i, o, r, span) = (inputChannels, outputChannels, grid.rowLength(batch: n), grid.span(batch: n))
        let input = scratch, dPhases = input + i * r
        let dPacked = dPhases + grid.phaseCount * o * r
        // Packed by the forward pass, unless the weight has changed since.
        let packed = packedTaps.matrices(of: weight, storage: buffers.weight, grid: grid, rows: o, columns: i, strides: weightStrides)
        grid.imageToPhases(dy, batch: n, channels: o, phases: dPhases)
        for phase in 0..<grid.phaseCount {
            lk_add_row_sums(dPhases + phase * o * r, dBias, o, r)
        }
        for ky in 0..<geometry.kernel { for kx in 0..<geometry.kernel {
            let t = ky * geometry.kernel + kx
            let (phase, shift) = grid.tap(ky, kx)
            BLAS.sgemm(transposeA: false, transposeB: true, m: o, n: i, k: span,
                       alpha: 1, a: dPhases + phase * o * r + shift, lda: r, b: input, ldb: r,
                       beta: 0, c: dPacked + t * o * i, ldc: i)
        } }
        grid.unpackTaps(dPacked, rows: o, columns: i, into: dWeight, strides: weightStrides)
        guard let dx else { return }
        // The input grid is no longer needed: its space takes the input gradient's grid.
        for ky in 0..<geometry.kernel { for kx in 0..<geometry.kernel {
            let t = ky * geometry.kernel + kx
            let (phase, shift) = grid.tap(ky, kx)
            BLAS.sgemm(transposeA: true, transposeB: false, m: i, n: span, k: o,
                       alpha: 1, a: packed + t * o * i, lda: i, b: dPhases + phase * o * r + shift, ldb: r,
                       beta: t == 0 ? 0 : 1, c: input, ldc: r)
        } }
        grid.gridToPositions(input, batch: n, channels: i, bias: nil, positions: dx)
    }
}
