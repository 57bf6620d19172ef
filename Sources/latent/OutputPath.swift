import Foundation
import VAECore

/// Checks on files a command will write, made before any work starts.
enum OutputPath {
    /// Refuses an output path whose folder is missing or which names a directory.
    static func check(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UsageError("\(path): the folder \(folder) does not exist; create it first")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw UsageError("\(path): is a directory; give a file name")
        }
    }

    /// `check`, and refuses an extension no picture format is written for.
    static func checkPicture(_ path: String) throws {
        try check(path)
        _ = try ImageFile.Format(path: path)
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
