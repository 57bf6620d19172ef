import Foundation
import VAECore

/// Checks on files a command will write, made before any work starts. Every `--out` follows
/// `AtomicFile`'s rule: a regular file is replaced atomically, a symbolic link's target is
/// replaced, and a directory, device, FIFO, socket or dangling link is refused.
enum OutputPath {
    /// Refuses an output path whose folder is missing or which names no place for a file.
    static func check(_ path: String) throws {
        _ = try AtomicFile.destination(of: path)
    }

    /// `check`, and refuses an extension no picture format is written for.
    static func checkPicture(_ path: String) throws {
        try check(path)
        _ = try ImageFile.Format(path: path)
    }

    /// Refuses a picture of `count` images of `shape`, `columns` to a row and each pixel
    /// `scale` times enlarged, that would have more than `ImageFile.maximumPixels`: a
    /// `UsageError` naming its size and `options`, the ones to lower. Call it before decoding
    /// the images, which cost as much again.
    static func checkPictureSize(count: Int, of shape: ImageShape, columns: Int, scale: Int, options: String) throws {
        let size = ImageFile.tiledSize(count: count, width: shape.width, height: shape.height, columns: columns, scale: scale)
        let (area, overflow) = size.width.multipliedReportingOverflow(by: size.height)
        if overflow || area > ImageFile.maximumPixels {
            let side = Int(Double(ImageFile.maximumPixels).squareRoot())
            throw UsageError("the picture would be \(size.width)x\(size.height) pixels, more than the \(ImageFile.maximumPixels) (\(side)x\(side)) latent writes; lower \(options)")
        }
    }

    /// `check`, and refuses a table name without the .csv extension.
    static func checkTable(_ path: String) throws {
        try check(path)
        guard path.lowercased().hasSuffix(".csv") else {
            throw UsageError("\(path): encode writes CSV; name the file .csv")
        }
    }

    /// `check`, and refuses a checkpoint name without the .safetensors extension, which is
    /// most often a picture's name given to the wrong option.
    static func checkCheckpoint(_ path: String) throws {
        try check(path)
        guard path.lowercased().hasSuffix(".safetensors") else {
            throw UsageError("\(path): a checkpoint is a .safetensors file; name it so")
        }
    }
}
