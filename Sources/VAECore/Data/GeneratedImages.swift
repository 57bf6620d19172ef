/// The data sets latent draws in-process (`SyntheticDigits`, `Sprites`): labelled images made
/// one at a time from one random stream, so a seed gives the same set every time.
enum GeneratedImages {
    /// `count` images of `shape`, each with a label below `classNames.count` drawn first and
    /// then the image, by `draw(label, image, rng)` into zeroed pixels.
    static func make(count: Int, seed: UInt64, name: String, shape: ImageShape, classNames: [String],
                     draw: (Int, UnsafeMutableBufferPointer<Float>, inout RandomGenerator) -> Void) -> Dataset {
        var rng = RandomGenerator(seed: seed)
        let d = shape.pixelCount
        var pixels = [Float](repeating: 0, count: count * d)
        var labels = [Int](repeating: 0, count: count)
        pixels.withUnsafeMutableBufferPointer { all in
            for index in 0..<count {
                let label = rng.index(below: classNames.count)
                labels[index] = label
                draw(label, UnsafeMutableBufferPointer(rebasing: all[(index * d)..<((index + 1) * d)]), &rng)
            }
        }
        return Dataset(name: name, shape: shape, intensities: pixels, labels: labels, classNames: classNames)
    }

    /// Training and test sets named `name/train` and `name/test` from one seed; the test set is
    /// a sixth the size of the training set. With `testOnly` the training set is left empty
    /// (the test set is the same).
    static func split(trainCount: Int, seed: UInt64, testOnly: Bool, name: String,
                      generate: (Int, UInt64, String) -> Dataset) -> DataSplit {
        let test = generate(max(1, trainCount / 6), seed &+ 0x5EED, "\(name)/test")
        let train = testOnly ? test.prefix(0).named("\(name)/train") : generate(trainCount, seed, "\(name)/train")
        return DataSplit(train: train, test: test)
    }
}
