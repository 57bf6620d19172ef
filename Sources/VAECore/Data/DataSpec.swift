import Foundation

/// What the user names with `--data`: a known dataset, a directory of IDX files or of images,
/// or the generated synthetic set.
public enum DataSpec: Equatable, Sendable, CustomStringConvertible {
    /// Fashion-MNIST from Debian's package `dataset-fashion-mnist`.
    case fashionMNIST
    /// A directory holding train and test IDX files (MNIST, KMNIST, EMNIST naming).
    case idxDirectory(String)
    /// A directory of PNG, JPEG, PGM or PPM images, with one subfolder per class or none (see `ImageFolder`).
    case imageDirectory(String)
    /// Stroke-drawn digits generated in-process: `trainCount` training images, a sixth as many
    /// for testing, deterministic by `seed`.
    case synthetic(trainCount: Int, seed: UInt64)
    /// Coloured shapes generated in-process (`Sprites`): `trainCount` training images, a sixth
    /// as many for testing, deterministic by `seed`.
    case sprites(trainCount: Int, seed: UInt64)

    /// Where Debian's `dataset-fashion-mnist` puts its files.
    public static let debianFashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// Where `fashion-mnist` is read from: the `LATENT_FASHION_MNIST` environment variable when
    /// set (a copy of the IDX files elsewhere), else the Debian package's folder.
    public static var fashionMNISTDirectory: String {
        ProcessInfo.processInfo.environment["LATENT_FASHION_MNIST"].flatMap { $0.isEmpty ? nil : $0 }
            ?? debianFashionMNISTDirectory
    }

    /// Fashion-MNIST's class names, by label.
    public static let fashionMNISTClasses = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// A spec that names no data latent can load: malformed, or naming a directory that is not
    /// there or a dataset that is not installed. (Trouble inside the files a spec names is a
    /// `DataError` or a `FileError`.) It names the spec, never where the spec came from: a
    /// command says that (a flag, a checkpoint, its default).
    public struct SpecError: Error, LocalizedError, CustomStringConvertible, Equatable {
        /// The spec as given.
        public let spec: String
        /// What is wrong with it, with the way out: "no such directory; use ...".
        public let reason: String

        /// "data spec '<spec>': <reason>", the spec quoted safely (`CheckpointError.excerpt`).
        public var description: String { "data spec '\(CheckpointError.excerpt(spec, limit: 240))': \(reason)" }
        public var errorDescription: String? { description }
    }

    /// The specs there are, in words for the reasons above.
    static let choices = "fashion-mnist, synthetic, sprites, or a directory of IDX files or images"

    /// Parses `fashion-mnist`, `synthetic[:N[:SEED]]`, `sprites[:N[:SEED]]` or a directory path.
    public init(parsing text: String) throws {
        switch text {
        case "fashion-mnist", "fashion_mnist", "fashionmnist":
            self = .fashionMNIST
        case "synthetic":
            self = .synthetic(trainCount: SyntheticDigits.defaultTrainCount, seed: 1)
        case _ where text.hasPrefix("synthetic:"):
            let (count, seed) = try DataSpec.countAndSeed(text, name: "synthetic", maximum: SyntheticDigits.maximumTrainCount)
            self = .synthetic(trainCount: count, seed: seed)
        case "sprites":
            self = .sprites(trainCount: Sprites.defaultTrainCount, seed: 1)
        case _ where text.hasPrefix("sprites:"):
            let (count, seed) = try DataSpec.countAndSeed(text, name: "sprites", maximum: Sprites.maximumTrainCount)
            self = .sprites(trainCount: count, seed: seed)
        default:
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory) else {
                throw SpecError(spec: text, reason: "no such directory; use \(DataSpec.choices)")
            }
            guard isDirectory.boolValue else {
                throw SpecError(spec: text, reason: "is a file; use \(DataSpec.choices)")
            }
            self = ImageFolder.containsImages(text) ? .imageDirectory(text) : .idxDirectory(text)
        }
    }

    /// COUNT and SEED of a generated set's spec, `NAME:COUNT` or `NAME:COUNT:SEED`.
    private static func countAndSeed(_ text: String, name: String, maximum: Int) throws -> (Int, UInt64) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).dropFirst()
        guard let count = parts.first.flatMap({ Int($0) }), count >= 1,
              parts.count <= 2, let seed = parts.count == 2 ? UInt64(parts.last!) : 1 else {
            throw SpecError(spec: text, reason: "expected \(name), \(name):COUNT or \(name):COUNT:SEED")
        }
        // A spec can come from a checkpoint's metadata: never let it ask for gigabytes.
        guard count <= maximum else {
            throw SpecError(spec: text, reason: "at most \(maximum) \(name) images")
        }
        return (count, seed)
    }

    public var description: String {
        switch self {
        case .fashionMNIST: return "fashion-mnist"
        case .idxDirectory(let path), .imageDirectory(let path): return path
        case .synthetic(let count, let seed):
            return count == SyntheticDigits.defaultTrainCount && seed == 1 ? "synthetic" : "synthetic:\(count):\(seed)"
        case .sprites(let count, let seed):
            return count == Sprites.defaultTrainCount && seed == 1 ? "sprites" : "sprites:\(count):\(seed)"
        }
    }

    /// Loads the training and test sets, made as `options` say where the source can (image
    /// folders and sprites; other sets are as they are, and callers check their shape).
    /// `fashionMNISTDirectory` is where the Debian package's files are looked for. With
    /// `testOnly` the training set is left empty and not read at all, for the commands that
    /// look at the test set alone (explore, eval, score, ...): Fashion-MNIST's test set is a
    /// seventh of it. An image folder reports to `progress` and keeps its images in `cache`.
    public func load(options: DataOptions = DataOptions(), testOnly: Bool = false,
                     progress: ImageFolder.Progress? = nil, cache: FolderCache? = nil,
                     fashionMNISTDirectory directory: String = DataSpec.fashionMNISTDirectory) throws -> DataSplit {
        switch self {
        case .fashionMNIST:
            guard FileManager.default.fileExists(atPath: directory) else {
                throw SpecError(spec: description, reason: "not installed (no \(directory)): run `sudo apt-get install dataset-fashion-mnist`, or use synthetic data")
            }
            return try DataSpec.loadIDXDirectory(directory, name: "fashion-mnist", classNames: DataSpec.fashionMNISTClasses,
                                                 testOnly: testOnly)
        case .idxDirectory(let path):
            let fashion = path.lowercased().contains("fashion")
            return try DataSpec.loadIDXDirectory(path, name: path, classNames: fashion ? DataSpec.fashionMNISTClasses : nil,
                                                 testOnly: testOnly)
        case .imageDirectory(let path):
            return try ImageFolder.load(path, options: options, testOnly: testOnly, progress: progress, cache: cache)
        case .synthetic(let count, let seed):
            return SyntheticDigits.split(trainCount: count, seed: seed, testOnly: testOnly)
        case .sprites(let count, let seed):
            let size = options.size ?? Sprites.shape.width
            guard Sprites.sizes.contains(size) else {
                throw SpecError(spec: description, reason: "sprites are drawn at 32 or 64 pixels a side, not \(size)")
            }
            return Sprites.split(trainCount: count, seed: seed, size: size, channels: options.channels ?? 3, testOnly: testOnly)
        }
    }

    /// Finds `{train,t10k|test}-{images,labels}` IDX files in a directory and loads them.
    static func loadIDXDirectory(_ directory: String, name: String, classNames: [String]?, testOnly: Bool = false) throws -> DataSplit {
        let files = try FileBytes.names(inDirectory: directory)
        func find(_ split: [String], _ kind: [String]) -> String? {
            files.first { file in
                let lower = file.lowercased()
                return split.contains { lower.contains($0) } && kind.contains { lower.contains($0) }
            }.map { "\(directory)/\($0)" }
        }
        let trainImages = find(["train"], ["images", "idx3"])
        let testImages = find(["t10k", "test"], ["images", "idx3"])
        guard let trainImages, let testImages else {
            throw DataError(file: directory, "no images found: expected PNG, JPEG, PGM or PPM files (or class folders of them), or IDX files named like train-images-idx3-ubyte.gz and t10k-images-idx3-ubyte.gz")
        }
        let trainLabels = find(["train"], ["labels", "idx1"])
        let testLabels = find(["t10k", "test"], ["labels", "idx1"])
        func load(_ images: String, _ labels: String?, _ split: String) throws -> Dataset {
            let (shape, pixels) = try IDX.readImages(path: images)
            var labelValues: [Int]? = nil
            if let labels {
                let values = try IDX.readLabels(path: labels)
                guard values.count * shape.pixelCount == pixels.count else {
                    throw DataError(file: labels, "\(values.count) labels for \(pixels.count / shape.pixelCount) images in \(images)")
                }
                labelValues = values
            }
            let classCount = (labelValues?.max() ?? -1) + 1
            // Known names only when they cover every label: a folder named "fashion" may hold
            // another set.
            let names = classNames.flatMap { $0.count >= classCount ? $0 : nil } ?? (0..<classCount).map(String.init)
            return Dataset(name: "\(name)/\(split)", shape: shape, pixels: pixels, labels: labelValues, classNames: names)
        }
        if testOnly {
            let test = try load(testImages, testLabels, "test")
            return DataSplit(train: test.prefix(0).named("\(name)/train"), test: test)
        }
        let train = try load(trainImages, trainLabels, "train")
        let test = try load(testImages, testLabels, "test")
        guard train.shape == test.shape else {
            throw DataError(file: testImages, "images are \(test.shape) but the training images are \(train.shape)")
        }
        return DataSplit(train: train, test: test)
    }
}
