import CKernels

/// How a convolution is computed.
public enum ConvolutionAlgorithm: Sendable {
    /// Gather every kernel window into a column matrix (im2col), one large sgemm, and scatter
    /// back (col2im). Best when a side has few channels (the first and last layers).
    case im2col
    /// One sgemm per kernel tap on phase grids (see `PhaseGrid`): no k²-fold column matrix,
    /// so less memory traffic when both sides have many channels.
    case phaseGEMM

    /// The faster choice for the given channel counts, measured with `latent bench --layers`.
    public static func automatic(inputChannels: Int, outputChannels: Int) -> ConvolutionAlgorithm {
        min(inputChannels, outputChannels) >= 8 ? .phaseGEMM : .im2col
    }
}

/// The grid on which a strided convolution becomes one sgemm per kernel tap.
///
/// Take the convolution's two sides: the image side (H x W, stride s apart) and the position
/// side (OH x OW). Tap (ky, kx) joins position (oy, ox) to pixel (oy s - p + ky, ox s - p + kx).
/// Writing ky - p = qy s + a (floor division), the pixel is (oy + qy) s + a: it lies in phase
/// plane a (pixels whose row is a mod s) at phase row oy + qy. So on a common grid, where
/// position (oy, ox) sits at (oy, ox) and pixel (y, x) of phase (y mod s, x mod s) sits at
/// (y / s - qLow, x / s - qLow), every tap is a constant shift d of the flattened grid:
/// ```
/// Y[:, grid] += W_tap · X_phase[:, grid + d]     (a convolution)
/// Y_phase[:, grid + d] += W_tap · X[:, grid]     (a transposed convolution)
/// ```
/// one sgemm over all images at once, with zeros in the cells that hold no pixel or position.
/// Legend: N = batch, R = row length of one channel (N grid planes plus slack for the shift).
struct PhaseGrid {
    let geometry: ConvGeometry
    /// Smallest and largest floor((k - p) / s) over the taps.
    let qLow: Int
    let qHigh: Int
    let gridHeight: Int
    let gridWidth: Int

    init(_ geometry: ConvGeometry) {
        self.geometry = geometry
        let (s, k, p) = (geometry.stride, geometry.kernel, geometry.padding)
        qLow = PhaseGrid.floorDivide(-p, s)
        qHigh = PhaseGrid.floorDivide(k - 1 - p, s)
        let spread = qHigh - qLow
        gridHeight = max(geometry.outHeight + spread, (geometry.height + s - 1) / s - qLow)
        gridWidth = max(geometry.outWidth + spread, (geometry.width + s - 1) / s - qLow)
    }

    static func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

    var stride: Int { geometry.stride }
    var phaseCount: Int { geometry.stride * geometry.stride }
    var taps: Int { geometry.kernel * geometry.kernel }

    /// Values per channel for a batch: N grid planes and room for the largest shift.
    func rowLength(batch: Int) -> Int {
        batch * gridHeight * gridWidth + (qHigh - qLow) * (gridWidth + 1)
    }

    /// Columns an sgemm covers for a batch: the N grid planes.
    func span(batch: Int) -> Int { batch * gridHeight * gridWidth }

    /// The phase plane tap (ky, kx) reads or writes, and its shift on the flattened grid.
    func tap(_ ky: Int, _ kx: Int) -> (phase: Int, shift: Int) {
        let (s, p) = (geometry.stride, geometry.padding)
        let qy = PhaseGrid.floorDivide(ky - p, s), qx = PhaseGrid.floorDivide(kx - p, s)
        let (a, b) = (ky - p - qy * s, kx - p - qx * s)
        return (a * s + b, (qy - qLow) * gridWidth + (qx - qLow))
    }

    private func kernelGrid(batch: Int) -> lk_phase_grid {
        lk_phase_grid(stride: geometry.stride, q_low: qLow, grid_h: gridHeight, grid_w: gridWidth,
                      row_len: rowLength(batch: batch))
    }

    /// Places positions [N, C, OH, OW] on the grid rows [C, R], zeros elsewhere.
    func positionsToGrid(_ positions: UnsafePointer<Float>, batch: Int, channels: Int, grid: UnsafeMutablePointer<Float>) {
        var g = kernelGrid(batch: batch)
        Parallel.forEachRange(channels, costPerItem: rowLength(batch: batch)) { range in
            lk_positions_to_grid(&g, positions, batch, channels, geometry.outHeight, geometry.outWidth, grid,
                                 range.lowerBound, range.upperBound)
        }
    }

    /// Reads positions [N, C, OH, OW] off the grid rows, adding `bias[c]` when given.
    func gridToPositions(_ grid: UnsafePointer<Float>, batch: Int, channels: Int, bias: UnsafePointer<Float>?,
                         positions: UnsafeMutablePointer<Float>) {
        var g = kernelGrid(batch: batch)
        Parallel.forEachRange(channels, costPerItem: span(batch: batch)) { range in
            lk_grid_to_positions(&g, grid, batch, channels, geometry.outHeight, geometry.outWidth, bias, positions,
                                 range.lowerBound, range.upperBound)
        }
    }

    /// Splits images [N, C, H, W] into phase grids [s², C, R], zeros elsewhere.
    func imageToPhases(_ image: UnsafePointer<Float>, batch: Int, channels: Int, phases: UnsafeMutablePointer<Float>) {
        var g = kernelGrid(batch: batch)
        Parallel.forEachRange(channels, costPerItem: phaseCount * rowLength(batch: batch)) { range in
            lk_image_to_phases(&g, image, batch, channels, geometry.height, geometry.width, phases,
                               range.lowerBound, range.upperBound)
        }
    }

    /// Joins phase grids back into images [N, C, H, W], adding `bias[c]` when given.
    func phasesToImage(_ phases: UnsafePointer<Float>, batch: Int, channels: Int, bias: UnsafePointer<Float>?,
                       image: UnsafeMutablePointer<Float>) {
        var g = kernelGrid(batch: batch)
        Parallel.forEachRange(channels, costPerItem: batch * geometry.imageSize / max(1, geometry.channels)) { range in
            lk_phases_to_image(&g, phases, batch, channels, geometry.height, geometry.width, bias, image,
                               range.lowerBound, range.upperBound)
        }
    }

    /// Where a weight sits in the PyTorch layout: (r, c, t) at r * row + c * column + t.
    struct WeightStrides {
        var row: Int, column: Int
    }

    /// Copies weights into one [rows, columns] matrix per tap: packed[t][r][c] = weight(r, c, t).
    func packTaps(_ weight: UnsafePointer<Float>, rows: Int, columns: Int, into packed: UnsafeMutablePointer<Float>,
                  strides: WeightStrides) {
        lk_pack_taps(weight, packed, taps, rows, columns, strides.row, strides.column)
    }

    /// Adds per-tap matrices back into a PyTorch-layout gradient (the adjoint of `packTaps`).
    func unpackTaps(_ packed: UnsafePointer<Float>, rows: Int, columns: Int, into gradient: UnsafeMutablePointer<Float>,
                    strides: WeightStrides) {
        lk_unpack_taps_add(packed, gradient, taps, rows, columns, strides.row, strides.column)
    }
}
