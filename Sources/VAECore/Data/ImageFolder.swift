import Foundation

/// A directory of PNG, PGM or PPM images as a dataset: labels from subfolder names (sorted), or
/// none when the images sit directly in the directory; every sixth image is held out for test.
/// Images are made grayscale, resized to the target size by area averaging and inverted when
/// drawn dark on light (see `ImageFile.prepared`). They must all have the same size.
enum ImageFolder {
    static let extensions: Set<String> = ["png", "pgm", "ppm"]

    /// Whether the directory holds image files (directly or one level down).
    static func containsImages(_ directory: String) -> Bool {
        !((try? imageFiles(directory)) ?? []).isEmpty
    }

    /// (path, class) pairs, classes numbered in the sorted order of their folder names.
    static func imageFiles(_ directory: String) throws -> [(path: String, label: Int?, className: String?)] {
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(atPath: directory).sorted() else {
            throw DataError(file: directory, "cannot list the directory")
        }
        func isImage(_ name: String) -> Bool { extensions.contains((name as NSString).pathExtension.lowercased()) }
        let direct = entries.filter(isImage).map { ("\(directory)/\($0)", Int?.none, String?.none) }
        if !direct.isEmpty { return direct }
        var files: [(String, Int?, String?)] = []
        var isDirectory: ObjCBool = false
        let folders = entries.filter { manager.fileExists(atPath: "\(directory)/\($0)", isDirectory: &isDirectory) && isDirectory.boolValue }
        for (label, folder) in folders.enumerated() {
            let names = (try? manager.contentsOfDirectory(atPath: "\(directory)/\(folder)").sorted()) ?? []
            files += names.filter(isImage).map { ("\(directory)/\(folder)/\($0)", label, folder) }
        }
        return files
    }

    /// Loads and splits the images, fitted to `shape`.
    static func load(_ directory: String, shape: ImageShape, inversion: ImageFile.Inversion = .automatic) throws -> DataSplit {
        let files = try imageFiles(directory)
        guard !files.isEmpty else { throw DataError(file: directory, "no PNG, PGM or PPM images (nor IDX files) found") }
        var size: (width: Int, height: Int, path: String)?
        var train: [Float] = [], test: [Float] = []
        var trainLabels: [Int] = [], testLabels: [Int] = []
        for (i, file) in files.enumerated() {
            let image = try ImageFile.read(path: file.path)
            if let size, size.width != image.width || size.height != image.height {
                throw DataError(file: file.path, "is \(image.width)x\(image.height) but \(size.path) is \(size.width)x\(size.height); the images of a folder must share one size")
            }
            size = size ?? (image.width, image.height, file.path)
            let pixels = ImageFile.prepared(image, for: shape, inversion: inversion)
            if i % 6 == 5 {
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
