import Foundation

/// A convolution's weights as one [rows, columns] matrix per kernel tap (see
/// `PhaseGrid.packTaps`), kept between calls and packed again only when the weight has changed
/// (`Parameter.version`). Packing costs a pass over the weights, which dwarfs the arithmetic of
/// one image: decoding a single image, as the explorer does, then packs nothing.
final class PackedTaps: @unchecked Sendable {
    private let count: Int
    /// Allocated at the first use: layers on im2col never pack.
    private var values: UnsafeMutablePointer<Float>?
    private var packedVersion: UInt64?
    private let lock = NSLock()

    init(taps: Int, rows: Int, columns: Int) {
        count = taps * rows * columns
    }

    deinit { values?.deallocate() }

    /// The matrices of `weight` as it is now (its storage at `storage`), packed by `grid` if
    /// they are not current. Valid until the weight next changes.
    func matrices(of weight: Parameter, storage: UnsafePointer<Float>, grid: PhaseGrid, rows: Int, columns: Int,
                  strides: PhaseGrid.WeightStrides) -> UnsafePointer<Float> {
        lock.lock()
        defer { lock.unlock() }
        let values = self.values ?? .allocate(capacity: count)
        self.values = values
        if packedVersion != weight.version {
            precondition(grid.taps * rows * columns == count, "packed weights of another shape")
            grid.packTaps(storage, rows: rows, columns: columns, into: values, strides: strides)
            packedVersion = weight.version
        }
        return UnsafePointer(values)
    }
}
