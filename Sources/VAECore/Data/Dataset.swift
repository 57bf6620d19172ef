/// A set of same-sized images, gray or colour, and their labels. Pixels are kept as bytes (an
/// intensity in [0, 1] times 255, rounded), a quarter of the memory of floats: 200,000 colour
/// images of 64x64 take 2.5 GB. They become intensities a batch or a chunk at a time
/// (`withIntensities`, `forEachChunk`, `image(_:)`).
public struct Dataset: Sendable {
    /// Where the images came from, for messages ("fashion-mnist/train", a path, ...); control
    /// characters are escaped, as in `classNames`.
    public var name: String
    /// Size of each image.
    public var shape: ImageShape
    /// All images, [count, D] row-major (each image's channels planar, as `ImageShape` says),
    /// each value an intensity times 255.
    public var pixels: [UInt8]
    /// One class index per image, when the source has labels.
    public var labels: [Int]?
    /// Names of the classes, indexed by label; they come from files (folder names), so their
    /// control characters are escaped and they can be shown as they are.
    public var classNames: [String]

    public init(name: String, shape: ImageShape, pixels: [UInt8], labels: [Int]?, classNames: [String]) {
        precondition(pixels.count % shape.pixelCount == 0,
                     "\(name): \(pixels.count) values is not a whole number of \(shape) images")
        precondition(labels == nil || labels!.count == pixels.count / shape.pixelCount,
                     "\(name): \(labels!.count) labels for \(pixels.count / shape.pixelCount) images")
        precondition(labels?.allSatisfy { $0 >= 0 && $0 < classNames.count } ?? true,
                     "\(name): a label outside the \(classNames.count) class names")
        self.name = name.escapingControlCharacters
        self.shape = shape
        self.pixels = pixels
        self.labels = labels
        self.classNames = classNames.map(\.escapingControlCharacters)
    }

    /// A set from intensities in [0, 1] (clamped), stored as bytes.
    public init(name: String, shape: ImageShape, intensities: [Float], labels: [Int]?, classNames: [String]) {
        self.init(name: name, shape: shape, pixels: intensities.map(Dataset.byte), labels: labels, classNames: classNames)
    }

    /// The byte an intensity is stored as: times 255, rounded, clamped to 0...255.
    @inline(__always)
    public static func byte(_ intensity: Float) -> UInt8 {
        UInt8(max(0, min(255, (intensity * 255).rounded())))
    }

    /// The intensity of each byte value: value / 255.
    public static let intensityOfByte: [Float] = (0...255).map { Float($0) / 255 }

    /// Number of images.
    public var count: Int { pixels.count / shape.pixelCount }

    /// Image `index`'s intensities.
    public func image(_ index: Int) -> [Float] {
        let d = shape.pixelCount
        return pixels[(index * d)..<((index + 1) * d)].map { Dataset.intensityOfByte[Int($0)] }
    }

    /// Writes the intensities of the images at `indices` into `target`, [indices.count, D].
    public func withIntensities(of indices: some Collection<Int>, into target: UnsafeMutableBufferPointer<Float>) {
        let d = shape.pixelCount
        precondition(target.count >= indices.count * d, "room for \(target.count / d) images, not \(indices.count)")
        Dataset.intensityOfByte.withUnsafeBufferPointer { table in
            pixels.withUnsafeBufferPointer { source in
                var out = target.baseAddress!
                for index in indices {
                    let from = source.baseAddress! + index * d
                    for i in 0..<d { out[i] = table[Int(from[i])] }
                    out += d
                }
            }
        }
    }

    /// The images in order, at most `size` at a time, as intensities [n, D] passed to
    /// `body(start, n, values)`; one buffer serves every chunk.
    public func forEachChunk(of size: Int = 1024, _ body: (Int, Int, UnsafeBufferPointer<Float>) throws -> Void) rethrows {
        precondition(size >= 1, "chunks of \(size)")
        let d = shape.pixelCount
        var buffer = [Float](repeating: 0, count: min(size, count) * d)
        var start = 0
        while start < count {
            let n = min(size, count - start)
            try buffer.withUnsafeMutableBufferPointer { values in
                withIntensities(of: start..<(start + n), into: values)
                try body(start, n, UnsafeBufferPointer(rebasing: values[0..<(n * d)]))
            }
            start += n
        }
    }

    /// The class name of image `index`, when the set is labelled.
    public func className(of index: Int) -> String? {
        labels.map { classNames[$0[index]] }
    }

    /// How image `index` is named to people: "#17 (Coat)", or "#17" when unlabelled.
    public func caption(of index: Int) -> String {
        "#\(index)" + (className(of: index).map { " (\($0))" } ?? "")
    }

    /// The same images under another name.
    public func named(_ name: String) -> Dataset {
        var copy = self
        copy.name = name.escapingControlCharacters
        return copy
    }

    /// The first `n` images (all of them when there are fewer).
    public func prefix(_ n: Int) -> Dataset {
        let kept = min(n, count)
        return Dataset(name: name, shape: shape, pixels: Array(pixels[0..<(kept * shape.pixelCount)]),
                       labels: labels.map { Array($0[0..<kept]) }, classNames: classNames)
    }

    /// The images as a tensor of intensities [count, C, H, W]: four bytes a value, for sets
    /// of a few thousand images (a map, a screenful of samples); larger ones go by chunks.
    public var tensor: Tensor {
        var values = [Float](repeating: 0, count: pixels.count)
        values.withUnsafeMutableBufferPointer { withIntensities(of: 0..<count, into: $0) }
        return Tensor(shape: [count, shape.channels, shape.height, shape.width], storage: values)
    }
}

/// A training set and the held-out set it is evaluated on.
public struct DataSplit: Sendable {
    public var train: Dataset
    public var test: Dataset

    public init(train: Dataset, test: Dataset) {
        precondition(train.shape == test.shape, "train \(train.shape) and test \(test.shape) differ in size")
        self.train = train
        self.test = test
    }

    /// Image size shared by both sets.
    public var shape: ImageShape { train.shape }
}
