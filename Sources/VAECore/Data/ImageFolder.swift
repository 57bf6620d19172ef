import Foundation

/// A directory of PNG, JPEG, PGM or PPM images as a dataset; every sixth image is held out for test,
/// and of 2 to 5 images, which have no sixth, the last one, so that the test set is never
/// empty (a test loss over no images is 0/0). Images are made grayscale, cropped (or padded) to
/// the target's aspect and resized by area averaging (see `ImageFit`), and inverted when drawn
/// dark on light (see `ImageFile.prepared`). They must all have the same size (a JPEG's upright
/// size, before any DCT scaling: see `ImageFile.read(path:toFitWidth:height:)`).
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
enum ImageFolder {
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

    private static func realPath(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }

    /// Whether image `index` of `count` goes to the test set: every sixth, or the last of
    /// fewer than six. Every split of two or more images has at least one image on each side.
    static func isHeldOut(_ index: Int, of count: Int) -> Bool {
        count < 6 ? index == count - 1 : index % 6 == 5
    }

    /// Loads and splits the images, fitted to `shape` by `fit`; with `testOnly` the training
    /// images are not read and the training set is empty.
    static func load(_ directory: String, shape: ImageShape, fit: ImageFit = .crop,
                     inversion: ImageFile.Inversion = .automatic, testOnly: Bool = false) throws -> DataSplit {
        let files = try imageFiles(directory)
        guard !files.isEmpty else { throw DataError(file: directory, "no PNG, JPEG, PGM or PPM images (nor IDX files) found") }
        var size: (width: Int, height: Int, path: String)?
        var train: [Float] = [], test: [Float] = []
        var trainLabels: [Int] = [], testLabels: [Int] = []
        for (i, file) in files.enumerated() {
            if testOnly && !ImageFolder.isHeldOut(i, of: files.count) { continue }
            let read = try ImageFile.read(path: file.path, toFitWidth: shape.width, height: shape.height)
            if let size, size.width != read.fullWidth || size.height != read.fullHeight {
                throw DataError(file: file.path, "is \(read.fullWidth)x\(read.fullHeight) but \(size.path) is \(size.width)x\(size.height); the images of a folder must share one size")
            }
            size = size ?? (read.fullWidth, read.fullHeight, file.path)
            let pixels = ImageFile.prepared(read.image, for: shape, fit: fit, inversion: inversion)
            if ImageFolder.isHeldOut(i, of: files.count) {
                test += pixels
                testLabels.append(file.label ?? 0)
            } else {
                train += pixels
                trainLabels.append(file.label ?? 0)
            }
        }
        // Counted after reading, so that a lone unreadable image is named as such.
        guard files.count >= 2 else { throw DataError(file: directory, "only one image; a training and a test set need two") }
        let labelled = files.first?.label != nil
        var classNames: [String] = []
        for file in files where file.className != nil && !classNames.contains(file.className!) { classNames.append(file.className!) }
        return DataSplit(
            train: Dataset(name: "\(directory)/train", shape: shape, images: train, labels: labelled ? trainLabels : nil,
                           classNames: labelled ? classNames : []),
            test: Dataset(name: "\(directory)/test", shape: shape, images: test, labels: labelled ? testLabels : nil,
                          classNames: labelled ? classNames : []))
    }
}
