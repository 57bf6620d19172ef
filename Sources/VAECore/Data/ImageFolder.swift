import Foundation

/// A directory of PNG, JPEG, PGM or PPM images as a dataset; every sixth image is held out for test,
/// and of 2 to 5 images, which have no sixth, the last one, so that the test set is never
/// empty (a test loss over no images is 0/0). Images may differ in size and kind. The set is
/// colour when any image has colour, else gray, and its images square: colour ones of the
/// images' own size when they share one of at most 64 pixels a side, else 64; gray ones 28x28,
/// as the MNIST family (`DataOptions` can ask for others; see `automatic`).
/// Each image is cropped (or padded) to a square and resized by area averaging (see
/// `ImageFit`); gray sets invert images drawn dark on light (see `ImageFile.prepared`).
///
/// Layouts, as torchvision's `ImageFolder` reads them:
/// - images directly in the directory: one unlabelled set;
/// - or one folder per class, labelled in the sorted order of the folder names, each holding its
///   images at any depth: `shirts/2019/a.png` is a shirt. A folder with no images gets no label.
/// - Not both: an image beside class folders is refused, by name, rather than one of the two
///   groups being dropped.
///
/// Hidden files and folders, whose names start with a dot (`.DS_Store`, `.ipynb_checkpoints`,
/// AppleDouble `._a.png`), are skipped at every level; other files without a .png, .jpg, .jpeg,
/// .pgm or .ppm extension are ignored. Symbolic links are followed, each real folder read once. A folder
/// that cannot be listed is an error, not an empty class.
public enum ImageFolder {
    static let extensions: Set<String> = ["png", "jpg", "jpeg", "pgm", "ppm"]

    /// Whether the directory holds image files, at any depth (a layout `imageFiles` refuses
    /// counts, so that loading names the problem).
    static func containsImages(_ directory: String) -> Bool {
        do {
            return !(try imageFiles(directory)).isEmpty
        } catch {
            return true
        }
    }

    /// (path, class) pairs, classes numbered in the sorted order of their folder names.
    static func imageFiles(_ directory: String) throws -> [(path: String, label: Int?, className: String?)] {
        var visited: Set<String> = [realPath(directory)]
        let (direct, folders) = try listing(directory)
        var classes: [(name: String, files: [String])] = []
        for folder in folders {
            let files = try images(under: "\(directory)/\(folder)", visited: &visited)
            if !files.isEmpty { classes.append((folder, files)) }
        }
        if let first = direct.first {
            if let other = classes.first?.files.first {
                throw DataError(file: other, "is in a class folder, but \(first) is not; put every image of \(directory) in a class folder (one per label), or none in any")
            }
            return direct.map { ($0, nil, nil) }
        }
        return classes.enumerated().flatMap { label, folder in folder.files.map { ($0, label, folder.name) } }
    }

    /// The images directly in `directory` (as paths) and its folders (as names), both sorted,
    /// hidden entries left out.
    private static func listing(_ directory: String) throws -> (images: [String], folders: [String]) {
        let entries = try FileBytes.names(inDirectory: directory)
        var images: [String] = [], folders: [String] = []
        for name in entries where !name.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(directory)/\(name)", isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                folders.append(name)
            } else if extensions.contains((name as NSString).pathExtension.lowercased()) {
                images.append("\(directory)/\(name)")
            }
        }
        return (images, folders)
    }

    /// Every image in `directory` and its folders, depth first in sorted order; `visited` holds
    /// the real paths of the folders read, so a link back up is not followed twice.
    private static func images(under directory: String, visited: inout Set<String>) throws -> [String] {
        guard visited.insert(realPath(directory)).inserted else { return [] }
        let (files, folders) = try listing(directory)
        var all = files
        for folder in folders { all += try images(under: "\(directory)/\(folder)", visited: &visited) }
        return all
    }

    /// The path with symbolic links resolved and `.`/`..` removed.
    static func realPath(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }

    /// Whether image `index` of `count` goes to the test set: every sixth, or the last of
    /// fewer than six. Every split of two or more images has at least one image on each side.
    static func isHeldOut(_ index: Int, of count: Int) -> Bool {
        count < 6 ? index == count - 1 : index % 6 == 5
    }

    /// The largest side a folder's images keep when none is asked for (`DataOptions.size`):
    /// images that all share one size keep it when its shorter side is at most this, else
    /// every image is fitted to this.
    public static let largestAutomaticSize = 64

    /// The size and channels a folder chooses for itself from its images' declared sizes and
    /// channels: colour when any image has colour (unless `asked` says). A colour set takes the shared size's shorter
    /// side when every image has one size and that side is at most `largestAutomaticSize`,
    /// else that; a gray set takes 28, the MNIST family's size that gray models take.
    static func automatic(_ headers: [(width: Int, height: Int, channels: Int)], channels asked: Int? = nil) -> (size: Int, channels: Int) {
        let channels = asked ?? (headers.contains { $0.channels == 3 } ? 3 : 1)
        guard channels == 3 else { return (ImageShape.mnist.height, 1) }
        guard let first = headers.first else { return (largestAutomaticSize, channels) }
        // Sides in either order: a header gives a JPEG's stored size, a decode its upright one.
        let shorter = min(first.width, first.height), longer = max(first.width, first.height)
        let shared = headers.allSatisfy { min($0.width, $0.height) == shorter && max($0.width, $0.height) == longer }
        return (shared && shorter <= largestAutomaticSize ? shorter : largestAutomaticSize, channels)
    }

    /// Where a load has got to: `phase` ("scanning" the headers, "reading" the images) and
    /// `done` of `total` images. Called from the loading threads, one call at a time.
    public typealias Progress = @Sendable (_ phase: String, _ done: Int, _ total: Int) -> Void

    /// Loads and splits the images, made as `options` say (see `DataOptions`), reading files on
    /// every core; with `testOnly` the training images are not read and the training set is
    /// empty. With a `cache`, a folder that has not changed since it was loaded the same way
    /// comes from its entry, and a full load replaces the entry (see `FolderCache`).
    static func load(_ directory: String, options: DataOptions = DataOptions(), testOnly: Bool = false,
                     progress: Progress? = nil, cache: FolderCache? = nil) throws -> DataSplit {
        let files = try imageFiles(directory)
        guard !files.isEmpty else { throw DataError(file: directory, "no PNG, JPEG, PGM or PPM images (nor IDX files) found") }
        guard files.count >= 2 else {
            // A lone unreadable image is named as such.
            _ = try ImageFile.header(path: files[0].path)
            throw DataError(file: directory, "only one image; a training and a test set need two")
        }
        let labelled = files[0].label != nil
        var classNames: [String] = []
        for file in files where file.className != nil && classNames.last != file.className { classNames.append(file.className!) }
        let stamp = cache == nil ? nil : try FolderCache.Stamp(directory: directory, files: files.map(\.path))
        if let cache, let stamp, let split = cache.load(stamp, options: options, name: directory,
                                                       classNames: labelled ? classNames : [], testOnly: testOnly) {
            return split
        }

        // The folder's own choices need every header first, unless both are given.
        var automatic: (size: Int, channels: Int)?
        if options.size == nil || options.channels == nil {
            let headers = try readInParallel(files.count, phase: "scanning", progress: progress) { i in
                try ImageFile.header(path: files[i].path)
            }
            automatic = ImageFolder.automatic(headers, channels: options.channels)
        }
        let size = options.size ?? automatic!.size
        let shape = ImageShape(channels: options.channels ?? automatic!.channels, height: size, width: size)
        let d = shape.pixelCount

        // Each image's place: its index in the training or the test set.
        var slots: [(test: Bool, index: Int)] = [], counts = (train: 0, test: 0)
        for i in files.indices {
            let test = isHeldOut(i, of: files.count)
            slots.append((test, test ? counts.test : counts.train))
            if test { counts.test += 1 } else { counts.train += 1 }
        }
        let wanted = files.indices.filter { !testOnly || slots[$0].test }
        var train = [UInt8](repeating: 0, count: testOnly ? 0 : counts.train * d)
        var test = [UInt8](repeating: 0, count: counts.test * d)
        let headers = try train.withUnsafeMutableBufferPointer { trainPixels in
            try test.withUnsafeMutableBufferPointer { testPixels in
                let targets = UncheckedSendable((trainPixels, testPixels))
                return try readInParallel(wanted.count, phase: "reading", progress: progress) { k in
                    let i = wanted[k]
                    let read = try ImageFile.read(path: files[i].path, toFitWidth: size, height: size)
                    let values = ImageFile.prepared(read.picture, for: shape, fit: options.fit, inversion: options.inversion)
                    let target = slots[i].test ? targets.value.1 : targets.value.0
                    let start = slots[i].index * d
                    for j in 0..<d { target[start + j] = Dataset.byte(values[j]) }
                    return (read.fullWidth, read.fullHeight, read.picture.channels)
                }
            }
        }
        let labels = files.map { $0.label ?? 0 }
        let split = DataSplit(
            train: Dataset(name: "\(directory)/train", shape: shape, pixels: train,
                           labels: labelled ? files.indices.filter { !testOnly && !slots[$0].test }.map { labels[$0] } : nil,
                           classNames: labelled ? classNames : []),
            test: Dataset(name: "\(directory)/test", shape: shape, pixels: test,
                          labels: labelled ? files.indices.filter { slots[$0].test }.map { labels[$0] } : nil,
                          classNames: labelled ? classNames : []))
        if let cache, let stamp, !testOnly {
            cache.save(split, stamp: stamp, made: FolderCache.Made(size: size, channels: shape.channels, fit: options.fit,
                                                                  inversion: options.inversion,
                                                                  automaticColourSize: ImageFolder.automatic(headers, channels: 3).size,
                                                                  automaticChannels: ImageFolder.automatic(headers).channels),
                       classNames: labelled ? classNames : [])
        }
        return split
    }

    /// `read(i)` for each of `count` files on as many threads as BLAS uses (every core, unless
    /// `--threads` says), in order, reporting to `progress` under `phase`.
    private static func readInParallel<T>(_ count: Int, phase: String, progress: Progress?,
                                          _ read: (Int) throws -> T) throws -> [T] {
        var results = [T?](repeating: nil, count: count)
        progress?(phase, 0, count)
        try results.withUnsafeMutableBufferPointer { slots in
            let shared = UncheckedSendable(slots)
            try Parallel.forEachItem(count, workers: BLAS.threads, progress: progress.map { report in { report(phase, $0, count) } }) { i in
                shared.value[i] = try read(i)
            }
        }
        return results.map { $0! }
    }
}
