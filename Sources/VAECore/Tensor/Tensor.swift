/// A dense Float32 array with a shape, stored row-major (the last index varies fastest).
///
/// Value semantics with copy-on-write, like `Array`. Hot loops reach the storage once through
/// `withUnsafeBufferPointer` / `withUnsafeMutableBufferPointer` and index it directly.
/// Activations are NCHW (N = batch, C = channels, H = height, W = width) or [N, features].
public struct Tensor: Equatable, Sendable {
    /// The extent of each dimension; `shape.reduce(1, *) == storage.count`.
    public let shape: [Int]
    /// The elements, row-major.
    public var storage: [Float]

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        self.shape = shape
        self.storage = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    /// A tensor holding `storage` with the given shape.
    public init(shape: [Int], storage: [Float]) {
        precondition(shape.reduce(1, *) == storage.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(storage.count)")
        self.shape = shape
        self.storage = storage
    }

    /// Number of elements.
    public var count: Int { storage.count }

    /// Size of the first dimension (the batch), 0 for a scalar shape.
    public var rows: Int { shape.first ?? 0 }

    /// Elements per row: the product of all but the first dimension.
    public var rowSize: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    /// Sets every element to zero without reallocating.
    public mutating func zero() {
        storage.withUnsafeMutableBufferPointer { buffer in
            buffer.update(repeating: 0)
        }
    }

    /// Element access by flat index.
    public subscript(index: Int) -> Float {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    /// One row (the elements of image `row`) as a new array.
    public func row(_ row: Int) -> [Float] {
        let size = rowSize
        return Array(storage[(row * size)..<((row + 1) * size)])
    }
}
