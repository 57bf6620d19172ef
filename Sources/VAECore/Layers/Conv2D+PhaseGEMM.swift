import CKernels

/// Conv2D on phase grids: one sgemm per kernel tap, no column matrix (see `PhaseGrid`).
/// Legend: N = batch, C = input channels, O = output channels, R = grid row length, L = span.
/// Scratch: input phases [s², C, R] | output grid [O, R] | the packed weights' gradient [k², O, C];
/// the packed weights themselves are kept by the layer (`PackedTaps`).
extension Conv2D {
    func phaseScratchCount(batchSize n: Int) -> Int {
        let grid = phaseGrid
        let r = grid.rowLength(batch: n)
        return grid.phaseCount * geometry.channels * r + outputChannels * r
            + grid.taps * outputChannels * geometry.channels
    }

    /// Output channel o, input channel c of the weight [O, C, k, k].
    private var weightStrides: PhaseGrid.WeightStrides {
        let taps = geometry.kernel * geometry.kernel
        return .init(row: geometry.channels * taps, column: taps)
    }

    /// Y[:, grid] = Σ_taps W_tap [O, C] · X_phase[:, grid + d];  y = Y at the positions + b.
    func forwardPhaseGEMM(_ buffers: ConvolutionForwardBuffers, batch n: Int) {
        let (x, y, scratch, weight, bias) = (buffers.x, buffers.y, buffers.scratch, buffers.weight, buffers.bias)
        let grid = phaseGrid
        let (c, o, r, span) = (geometry.channels, outputChannels, grid.rowLength(batch: n), grid.span(batch: n))
        let phases = scratch, output = phases + grid.phaseCount * c * r
        let packed = packedTaps.matrices(of: self.weight, storage: weight, grid: grid, rows: o, columns: c, strides: weightStrides)
        grid.imageToPhases(x, batch: n, channels: c, phases: phases)
        output.update(repeating: 0, count: o * r)
        for ky in 0..<geometry.kernel { for kx in 0..<geometry.kernel {
            let t = ky * geometry.kernel + kx
            let (phase, shift) = grid.tap(ky, kx)
            BLAS.sgemm(transposeA: false, transposeB: false, m: o, n: span, k: c,
                       alpha: 1, a: packed + t * o * c, lda: c, b: phases + phase * c * r + shift, ldb: r,
                       beta: 1, c: output, ldc: r)
        } }
        grid.gridToPositions(output, batch: n, channels: o, bias: bias, positions: y)
    }

    /// dW_tap = dY · X_phaseᵀ (shifted);  db = Σ dY;  dX_phase[:, grid + d] += W_tapᵀ · dY.
    func backwardPhaseGEMM(_ buffers: ConvolutionBackwardBuffers, batch n: Int) {
        let (dy, scratch, dWeight, dBias, dx) = (buffers.dy, buffers.scratch, buffers.dWeight, buffers.dBias, buffers.dx)
        let grid = phaseGrid
        let (c, o, r, span) = (geometry.channels, outputChannels, grid.rowLength(batch: n), grid.span(batch: n))
        let phases = scratch, dOutput = phases + grid.phaseCount * c * r
        let dPacked = dOutput + o * r
        // Packed by the forward pass, unless the weight has changed since.
        let packed = packedTaps.matrices(of: weight, storage: buffers.weight, grid: grid, rows: o, columns: c, strides: weightStrides)
        grid.positionsToGrid(dy, batch: n, channels: o, grid: dOutput)
        lk_add_row_sums(dOutput, dBias, o, r)
        for ky in 0..<geometry.kernel { for kx in 0..<geometry.kernel {
            let t = ky * geometry.kernel + kx
            let (phase, shift) = grid.tap(ky, kx)
            BLAS.sgemm(transposeA: false, transposeB: true, m: o, n: c, k: span,
                       alpha: 1, a: dOutput, lda: r, b: phases + phase * c * r + shift, ldb: r,
                       beta: 0, c: dPacked + t * o * c, ldc: c)
        } }
        grid.unpackTaps(dPacked, rows: o, columns: c, into: dWeight, strides: weightStrides)
        guard let dx else { return }
        // The input phases are no longer needed: their space takes the input gradient's phases.
        phases.update(repeating: 0, count: grid.phaseCount * c * r)
        for ky in 0..<geometry.kernel { for kx in 0..<geometry.kernel {
            let t = ky * geometry.kernel + kx
            let (phase, shift) = grid.tap(ky, kx)
            BLAS.sgemm(transposeA: true, transposeB: false, m: c, n: span, k: o,
                       alpha: 1, a: packed + t * o * c, lda: c, b: dOutput, ldb: r,
                       beta: 1, c: phases + phase * c * r + shift, ldc: r)
        } }
        grid.phasesToImage(phases, batch: n, channels: c, bias: nil, image: dx)
    }
}
