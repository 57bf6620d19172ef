import CPosix
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes whole files so that readers see the old contents or the new, never a mix, and never
/// leaves a half-written file behind.
///
/// One rule for every file latent writes:
/// - a missing file is created, a regular file is replaced atomically (its permissions kept);
/// - a symbolic link is followed: its target is replaced atomically and the link stays; a link
///   that points at nothing is refused rather than silently turned into a file;
/// - a directory, device, FIFO or socket is refused.
///
/// The bytes go to an unnamed file in the destination's folder (Linux `O_TMPFILE`), which
/// vanishes if the process dies while writing; once complete and synced it is given a
/// temporary name `.NAME.PID.RANDOM.tmp` and renamed over the destination. Where the file
/// system has no unnamed files, the temporary is named from the start. Either way, temporaries
/// that a killed process left behind are removed on the next write to the same name.
public enum AtomicFile {
    /// Where a write to `path` lands: `path` itself, or the file a symbolic link points at.
    /// Throws a `FileError`: `.badPath` when `path` is not a place for a regular file,
    /// `.environment` when the system does not let it be examined (a folder without search
    /// permission, an I/O error).
    public static func destination(of path: String) throws -> String {
        func refuse(_ problem: String) -> FileError { FileError(file: path, problem, cause: .badPath) }
        guard !path.isEmpty else { throw FileError(file: "''", "an empty name; give a file name", cause: .badPath) }
        guard !path.hasSuffix("/") else { throw refuse("names a folder (it ends in /); give a file name") }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            // A folder on the way that may not be searched is the machine's refusal, not a bad name.
            guard code == ENOENT else { throw FileError(file: path, "cannot be examined", errno: code) }
            let folder = folder(of: path)
            var folderInfo = stat()
            guard stat(folder, &folderInfo) == 0, folderInfo.st_mode & S_IFMT == S_IFDIR else {
                throw refuse("the folder \(folder) does not exist; create it first")
            }
            return path
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return path
        case S_IFLNK:
            guard let resolved = realpath(path, nil) else {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                throw refuse("is a symbolic link to \(target), which does not exist; remove the link or point it at a file")
            }
            defer { free(resolved) }
            let target = String(cString: resolved)
            var targetInfo = stat()
            guard stat(target, &targetInfo) == 0 else { throw FileError(file: path, "cannot follow the link", errno: errno) }
            guard targetInfo.st_mode & S_IFMT == S_IFREG else {
                throw refuse("is a symbolic link to \(target), which is \(kind(targetInfo.st_mode)), not a regular file")
            }
            return target
        default:
            throw refuse("is \(kind(info.st_mode)); latent writes only regular files, give a file name")
        }
    }

    /// Writes `bytes` to `path` atomically (see the type's rule), synced to disk.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(parts: [bytes], to: path, unnamedFirst: true)
    }

    /// Writes `parts` one after another as one file, as `write(_:to:)` does: for contents too
    /// large to join in memory first.
    public static func write(parts: [[UInt8]], to path: String) throws {
        try write(parts: parts, to: path, unnamedFirst: true)
    }

    /// `write`, choosing whether to try an unnamed temporary first (tests take the named path,
    /// which file systems without `O_TMPFILE` use).
    static func write(_ bytes: [UInt8], to path: String, unnamedFirst: Bool) throws {
        try write(parts: [bytes], to: path, unnamedFirst: unnamedFirst)
    }

    private static func write(parts: [[UInt8]], to path: String, unnamedFirst: Bool) throws {
        let target = try destination(of: path)
        let directory = folder(of: target)
        removeStaleTemporaries(of: target)
        func fail(_ problem: String) -> FileError { FileError(file: path, problem, cause: .environment) }
        var existing = stat()
        let existingMode: mode_t? = stat(target, &existing) == 0 ? existing.st_mode & 0o7777 : nil

        let file = try TemporaryFile(in: directory, for: target, path: path, unnamedFirst: unnamedFirst)
        defer { file.discard() }
        for (k, part) in parts.enumerated() { try file.write(part, failure: fail, sync: k == parts.count - 1) }
        if let existingMode { fchmod(file.descriptor, existingMode) }
        let temporary = try file.name(failure: fail)
        guard rename(temporary, target) == 0 else {
            throw fail("cannot replace the file: \(describe(errno))")
        }
        file.renamed()
        syncFolder(directory)
    }

    /// Checks, before long work, that a file of `byteCount` bytes can be written at `path`:
    /// writes that many bytes to an unnamed file beside it (which vanishes), so a missing
    /// permission, a read-only folder, a full disk or a file-size limit shows now rather than
    /// when the work is done. With `copies` 2 it also asks for room for a second copy, as an
    /// atomic replacement needs the old file and the new one at once.
    public static func checkRoom(for path: String, byteCount: Int, copies: Int = 2) throws {
        let target = try destination(of: path)
        let directory = folder(of: target)
        func fail(_ problem: String) -> FileError { FileError(file: path, problem, cause: .environment) }
        let file = try TemporaryFile(in: directory, for: target, path: path, unlinkAtOnce: true)
        defer { file.discard() }
        let chunk = [UInt8](repeating: 0, count: min(byteCount, 1 << 20))
        var left = byteCount
        while left > 0 {
            try file.write(Array(chunk.prefix(left)), failure: fail, sync: false)
            left -= min(left, chunk.count)
        }
        guard fsync(file.descriptor) == 0 else { throw fail("cannot write: \(describe(errno))") }
        var space = statvfs()
        if copies > 1, statvfs(directory, &space) == 0 {
            let available = Int(space.f_bavail) * Int(space.f_frsize)
            let needed = (copies - 1) * byteCount
            if available < needed {
                throw fail("cannot write: only \(megabytes(available)) free in \(directory), and replacing the file needs \(megabytes(byteCount + needed)) at once")
            }
        }
    }

    /// The start of the temporaries' names for `target`: ".NAME." with NAME cut to 200 bytes,
    /// so that with the pid and the random part it stays within the 255 bytes a name may have.
    static func temporaryPrefix(of target: String) -> String {
        var name = Substring((target as NSString).lastPathComponent)
        while name.utf8.count > 200 { name = name.dropLast() }
        return ".\(name)."
    }

    /// Removes `.NAME.PID.*.tmp` files beside `target` whose process no longer runs.
    static func removeStaleTemporaries(of target: String) {
        let directory = folder(of: target)
        let prefix = temporaryPrefix(of: target)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let middle = name.dropFirst(prefix.count).dropLast(4).split(separator: ".")
            guard middle.count == 2, let pid = pid_t(middle[0]), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH { unlink("\(directory)/\(name)") }
        }
    }

    static func folder(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    private static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }

    /// Makes a rename durable: the folder's entry is synced too.
    private static func syncFolder(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// The temporary that `AtomicFile` writes into: unnamed while written when the file system
/// allows it, named `.NAME.PID.RANDOM.tmp` for the rename.
private final class TemporaryFile {
    let descriptor: Int32
    private let temporaryPath: String
    private var named: Bool
    private var done = false

    /// Opens it in `directory`; `path` is the name the user gave, for errors. With
    /// `unlinkAtOnce` a named fallback is removed as soon as it is open, so it never shows.
    init(in directory: String, for target: String, path: String, unlinkAtOnce: Bool = false, unnamedFirst: Bool = true) throws {
        temporaryPath = "\(directory)/\(AtomicFile.temporaryPrefix(of: target))\(getpid()).\(UUID().uuidString.prefix(8)).tmp"
        var fd = unnamedFirst ? latent_open_unnamed_file(directory, 0o666) : -1
        named = false
        // File systems without unnamed files answer EOPNOTSUPP, EISDIR or EINVAL.
        if fd < 0 && (!unnamedFirst || [EOPNOTSUPP, EISDIR, EINVAL].contains(errno)) {
            fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            named = fd >= 0
            if named && unlinkAtOnce {
                unlink(temporaryPath)
                named = false
            }
        }
        guard fd >= 0 else {
            throw FileError(file: path, "cannot write in \(directory): \(AtomicFile.describe(errno))", cause: .environment)
        }
        descriptor = fd
    }

    /// Writes all of `bytes`, then syncs them unless told not to.
    func write(_ bytes: [UInt8], failure: (String) -> FileError, sync: Bool = true) throws {
        var written = 0
        let error: Int32? = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(descriptor, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += n
            }
            return sync && fsync(descriptor) != 0 ? errno : nil
        }
        if let error { throw failure("cannot write: \(AtomicFile.describe(error))") }
    }

    /// Gives the written file its temporary name (if it has none yet) and returns it.
    func name(failure: (String) -> FileError) throws -> String {
        if !named {
            guard linkat(AT_FDCWD, "/proc/self/fd/\(descriptor)", AT_FDCWD, temporaryPath, AT_SYMLINK_FOLLOW) == 0 else {
                throw failure("cannot write: \(AtomicFile.describe(errno))")
            }
            named = true
        }
        return temporaryPath
    }

    /// The temporary name is gone: it was renamed over the destination.
    func renamed() { named = false }

    /// Closes the file and removes its temporary name if it still has one.
    func discard() {
        guard !done else { return }
        done = true
        close(descriptor)
        if named { unlink(temporaryPath) }
    }
}
