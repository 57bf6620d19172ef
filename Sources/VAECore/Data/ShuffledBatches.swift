/// Mini-batches of a dataset in a fresh random order each epoch, gathered as intensities into
/// one buffer that is allocated once: no allocation per batch.
public struct ShuffledBatches {
    public let dataset: Dataset
    public let batchSize: Int
    private var order: [Int]
    private var buffer: [Float]

    public init(dataset: Dataset, batchSize: Int) {
        precondition(batchSize >= 1, "batch size must be at least 1, got \(batchSize)")
        precondition(dataset.count >= 1, "\(dataset.name) holds no images")
        self.dataset = dataset
        self.batchSize = batchSize
        order = Array(0..<dataset.count)
        buffer = [Float](repeating: 0, count: min(batchSize, dataset.count) * dataset.shape.pixelCount)
    }

    /// Batches per epoch; the last one holds the remainder.
    public var batchesPerEpoch: Int { (dataset.count + batchSize - 1) / batchSize }

    /// Draws a new order for the next epoch (Fisher-Yates).
    public mutating func shuffle(using rng: inout RandomGenerator) {
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, rng.index(below: i + 1))
        }
    }

    /// Gathers batch `index` of the current order and passes its images [n, D] and n to `body`.
    public mutating func withBatch<R>(_ index: Int, _ body: (UnsafeBufferPointer<Float>, Int) throws -> R) rethrows -> R {
        let start = index * batchSize
        precondition(start < order.count, "batch \(index) is past the end (\(batchesPerEpoch) batches)")
        let n = min(batchSize, order.count - start)
        let d = dataset.shape.pixelCount
        buffer.withUnsafeMutableBufferPointer { target in
            dataset.withIntensities(of: order[start..<(start + n)], into: target)
        }
        return try buffer.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[0..<(n * d)]), n)
        }
    }
}
