/// A set of same-sized grayscale images with intensities in [0, 1], and their labels.
public struct Dataset: Sendable {
    /// Where the images came from, for messages ("fashion-mnist/train", a path, ...); control
    /// characters are escaped, as in `classNames`.
    public var name: String
    /// Size of each image.
    public var shape: ImageShape
    /// All images, [count, D] row-major.
    public var images: [Float]
    /// One class index per image, when the source has labels.
    public var labels: [Int]?
    /// Names of the classes, indexed by label; they come from files (folder names), so their
    /// control characters are escaped and they can be shown as they are.
    public var classNames: [String]

    public init(name: String, shape: ImageShape, images: [Float], labels: [Int]?, classNames: [String]) {
        precondition(images.count % shape.pixelCount == 0,
                     "\(name): \(images.count) values is not a whole number of \(shape) images")
        precondition(labels == nil || labels!.count == images.count / shape.pixelCount,
                     "\(name): \(labels!.count) labels for \(images.count / shape.pixelCount) images")
        precondition(labels?.allSatisfy { $0 >= 0 && $0 < classNames.count } ?? true,
                     "\(name): a label outside the \(classNames.count) class names")
        self.name = name.escapingControlCharacters
        self.shape = shape
        self.images = images
        self.labels = labels
        self.classNames = classNames.map(\.escapingControlCharacters)
    }

    /// Number of images.
    public var count: Int { images.count / shape.pixelCount }

    /// Image `index`'s pixels.
    public func image(_ index: Int) -> ArraySlice<Float> {
        let d = shape.pixelCount
        return images[(index * d)..<((index + 1) * d)]
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
        return Dataset(name: name, shape: shape, images: Array(images[0..<(kept * shape.pixelCount)]),
                       labels: labels.map { Array($0[0..<kept]) }, classNames: classNames)
    }

    /// The images as a tensor [count, C, H, W].
    public var tensor: Tensor {
        Tensor(shape: [count, shape.channels, shape.height, shape.width], storage: images)
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
