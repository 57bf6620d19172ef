import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Image folders as they were last loaded, kept in one file per folder so that loading the
/// same folder again reads one file instead of decoding every image: under
/// `$XDG_CACHE_HOME/latent/folders` (`~/.cache/latent/folders` when it is unset).
///
/// An entry is used only when nothing it was made from has changed: the same image files (by
/// path, size and modification time, hashed into a `Stamp`) and the same size, channels, fit
/// and inversion. Anything else, a damaged entry included, is a miss: the folder is read again
/// and the entry replaced. Entries are written by `AtomicFile`, so a crash leaves the old entry
/// or none (and its temporary goes at the next write); a cache that cannot be written is no
/// error.
///
/// The cache keeps at most `limit` bytes, dropping the least recently used entries first (a
/// hit counts as a use), and never writes an entry that would leave less than `keepFree`
/// bytes on its disk: the user's checkpoints come before a faster second load.
public struct FolderCache: Sendable {
    /// The directory the entries live in.
    public let directory: String
    /// Most bytes the entries may take together.
    public let limit: Int
    /// Bytes an entry must leave free on the cache's file system.
    public let keepFree: Int

    /// 10 GiB: about four sets of 200,000 colour images of 64x64.
    public static let defaultLimit = 10 << 30
    /// 1 GiB.
    public static let defaultKeepFree = 1 << 30

    public init(directory: String, limit: Int = FolderCache.defaultLimit, keepFree: Int = FolderCache.defaultKeepFree) {
        self.directory = directory
        self.limit = limit
        self.keepFree = keepFree
    }

    /// The cache under `$XDG_CACHE_HOME`, or `$HOME/.cache`; nil when neither is set, or when
    /// `LATENT_CACHE=off` turns caching off (a one-off folder too large to keep twice).
    /// `LATENT_CACHE=SIZE` (`20G`, `500M`, bytes without a suffix) sets its limit; any other
    /// value is an error.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FolderCache? {
        var limit = defaultLimit
        if let setting = environment["LATENT_CACHE"], !setting.isEmpty {
            if setting == "off" { return nil }
            guard let bytes = byteCount(setting) else {
                throw DataError("LATENT_CACHE='\(setting)': give off, or the cache's largest size such as 20G or 500M")
            }
            limit = bytes
        }
        if let base = environment["XDG_CACHE_HOME"], base.hasPrefix("/") {
            return FolderCache(directory: "\(base)/latent/folders", limit: limit)
        }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return FolderCache(directory: "\(home)/.cache/latent/folders", limit: limit)
    }

    /// "20G", "500M", "64K" or a plain count of bytes; nil for anything else or a size past 1 PiB.
    static func byteCount(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 10, "M": 20, "G": 30, "T": 40]
        var digits = Substring(text), shift = 0
        if let last = text.last?.uppercased().first, let unit = units[last] { (digits, shift) = (text.dropLast(), unit) }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int(digits), value >= 0,
              value <= (1 << 50) >> shift else { return nil }
        return value << shift
    }

    /// What a folder's images are, as far as a cache can tell without reading them: a hash of
    /// the folder's real path and of every image's path, size and modification time.
    struct Stamp: Equatable {
        var first: UInt64, second: UInt64
        var fileCount: Int
        /// The entry's file name, from the folder's real path alone: a folder has one entry.
        var entryName: String

        init(directory: String, files: [String]) throws {
            let real = ImageFolder.realPath(directory)
            var hasher = StampHasher()
            hasher.add(real)
            for file in files {
                var status = stat()
                guard stat(file, &status) == 0 else { throw FileError(file: file, "cannot read", errno: errno) }
                // The path below the folder, however the folder was named (`d`, `./d`, `d/`);
                // inode and change time catch a file replaced by one of the same size and mtime.
                hasher.add(file.hasPrefix(directory) ? String(file.dropFirst(directory.count)) : file)
                hasher.add("\(status.st_size) \(status.st_mtim.tv_sec) \(status.st_mtim.tv_nsec) \(status.st_ino) "
                           + "\(status.st_ctim.tv_sec) \(status.st_ctim.tv_nsec)")
            }
            (first, second) = hasher.value
            fileCount = files.count
            var name = StampHasher()
            name.add(real)
            entryName = String(format: "%016llx%016llx.folder", name.value.0, name.value.1)
        }
    }

    /// How an entry's images were made: what was used, and what the folder's own choice
    /// would have been, so that a load leaving the choice to the folder finds an entry made
    /// with it spelt out, and the other way round.
    struct Made: Equatable {
        var size: Int, channels: Int
        var fit: ImageFit, inversion: ImageFile.Inversion
        /// The folder's own size for colour (gray is always 28) and its own channels.
        var automaticColourSize: Int, automaticChannels: Int

        /// Whether a load asking for `options` gets these images.
        func answers(_ options: DataOptions) -> Bool {
            let wantedChannels = options.channels ?? automaticChannels
            let ownSize = wantedChannels == 3 ? automaticColourSize : ImageShape.mnist.height
            return (options.size ?? ownSize) == size && wantedChannels == channels
                && options.fit == fit && options.inversion == inversion
        }
    }

    private static let magic = Array("LATENTFC".utf8)
    private static let version: UInt64 = 1
    /// Longest class name and most classes an entry may declare.
    private static let maximumNameBytes = 4096, maximumClasses = 1 << 20

    func path(of stamp: Stamp) -> String { "\(directory)/\(stamp.entryName)" }

    /// The folder's split from its entry, when there is one for `stamp` that answers `options`;
    /// with `testOnly` the training set comes back empty (and is not read).
    func load(_ stamp: Stamp, options: DataOptions, name: String, classNames: [String], testOnly: Bool) -> DataSplit? {
        // O_NONBLOCK: a FIFO put where an entry belongs must not hang the load.
        let descriptor = open(path(of: stamp), O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        let split = read(descriptor, size: Int(status.st_size), stamp: stamp, options: options, name: name,
                         classNames: classNames, testOnly: testOnly)
        // A hit is a use: the entry moves to the back of the queue of entries to drop.
        if split != nil { futimens(descriptor, nil) }
        return split
    }

    private func read(_ descriptor: Int32, size: Int, stamp: Stamp, options: DataOptions, name: String,
                      classNames: [String], testOnly: Bool) -> DataSplit? {
        var reader = EntryReader(descriptor: descriptor, remaining: size)
        do {
            guard try reader.bytes(FolderCache.magic.count) == FolderCache.magic, try reader.number() == FolderCache.version,
                  try reader.number() == stamp.first, try reader.number() == stamp.second,
                  try reader.count(limit: Int.max >> 8) == stamp.fileCount else { return nil }
            let made = Made(size: try reader.count(limit: Architecture.maximumImageSide),
                            channels: try reader.count(limit: 3),
                            fit: try reader.choice(ImageFit.allCases), inversion: try reader.choice(ImageFile.Inversion.allCases),
                            automaticColourSize: try reader.count(limit: Architecture.maximumImageSide),
                            automaticChannels: try reader.count(limit: 3))
            guard made.answers(options), made.size >= 1, made.channels == 1 || made.channels == 3 else { return nil }
            let shape = ImageShape(channels: made.channels, height: made.size, width: made.size)
            let trainCount = try reader.count(limit: stamp.fileCount), testCount = try reader.count(limit: stamp.fileCount)
            // The split every load of these files makes, and the folder's own classes: anything
            // else is a damaged or foreign entry.
            let heldOut = (0..<stamp.fileCount).filter { ImageFolder.isHeldOut($0, of: stamp.fileCount) }.count
            guard testCount == heldOut, trainCount == stamp.fileCount - heldOut else { return nil }
            let classCount = try reader.count(limit: FolderCache.maximumClasses)
            var classNamesRead: [String] = []
            for _ in 0..<classCount {
                let bytes = try reader.bytes(try reader.count(limit: FolderCache.maximumNameBytes))
                classNamesRead.append(String(decoding: bytes, as: UTF8.self))
            }
            guard classNames == classNamesRead else { return nil }
            var labels: [Int]? = nil
            if classCount > 0 {
                labels = try (0..<stamp.fileCount).map { _ in try reader.count(limit: classCount - 1) }
            }
            // What is left must be exactly the pixels.
            let d = shape.pixelCount
            guard reader.remaining == stamp.fileCount * d else { return nil }
            let train = testOnly ? (try reader.skip(trainCount * d), [UInt8]()).1 : try reader.bytes(trainCount * d)
            let test = try reader.bytes(testCount * d)
            let trainLabels = labels.map { Array($0[0..<trainCount]) }, testLabels = labels.map { Array($0[trainCount...]) }
            return DataSplit(
                train: Dataset(name: "\(name)/train", shape: shape, pixels: train, labels: testOnly ? (labels == nil ? nil : []) : trainLabels,
                               classNames: classNames),
                test: Dataset(name: "\(name)/test", shape: shape, pixels: test, labels: testLabels, classNames: classNames))
        } catch {
            return nil
        }
    }

    /// Replaces the folder's entry with `split`, made as `made`; quietly does nothing when the
    /// cache cannot be written.
    func save(_ split: DataSplit, stamp: Stamp, made: Made, classNames: [String]) {
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else { return }
        let target = path(of: stamp)
        var header = FolderCache.magic
        for value in [FolderCache.version, stamp.first, stamp.second] { header.appendLittleEndian(value) }
        for value in [stamp.fileCount, made.size, made.channels, FolderCache.code(made.fit, ImageFit.allCases),
                      FolderCache.code(made.inversion, ImageFile.Inversion.allCases), made.automaticColourSize, made.automaticChannels,
                      split.train.count, split.test.count, classNames.count] {
            header.appendLittleEndian(UInt64(value))
        }
        for name in classNames {
            header.appendLittleEndian(UInt64(name.utf8.count))
            header += Array(name.utf8)
        }
        if let train = split.train.labels, let test = split.test.labels, !classNames.isEmpty {
            for label in train + test { header.appendLittleEndian(UInt64(label)) }
        }
        let entrySize = header.count + split.train.pixels.count + split.test.pixels.count
        // The old entry goes in any case: it no longer answers for this folder.
        guard entrySize <= limit, leavesRoom(for: entrySize) else {
            unlink(target)
            return
        }
        makeRoom(for: entrySize, replacing: target)
        // Whatever else stands where the entry belongs (a link, a FIFO) is replaced, not
        // followed: AtomicFile writes through a link to its target.
        var status = stat()
        if lstat(target, &status) == 0, status.st_mode & S_IFMT != S_IFREG { unlink(target) }
        // Quietly: a cache that cannot be written is no error.
        try? AtomicFile.write(parts: [header, split.train.pixels, split.test.pixels], to: target)
    }

    /// Whether the file system keeps `keepFree` bytes after `size` more.
    private func leavesRoom(for size: Int) -> Bool {
        var status = statvfs()
        guard statvfs(directory, &status) == 0 else { return false }
        let available = Double(status.f_bavail) * Double(status.f_frsize)
        return available - Double(size) >= Double(keepFree)
    }

    /// Drops the least recently used entries other than `target` until one of `size` bytes
    /// fits under the limit beside the rest.
    private func makeRoom(for size: Int, replacing target: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        var entries: [(path: String, bytes: Int, used: Double)] = []
        for name in names where name.hasSuffix(".folder") {
            let path = "\(directory)/\(name)"
            var status = stat()
            guard path != target, lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            entries.append((path, Int(status.st_size), Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9))
        }
        var total = entries.reduce(size) { $0 + $1.bytes }
        for entry in entries.sorted(by: { $0.used < $1.used }) where total > limit {
            if unlink(entry.path) == 0 { total -= entry.bytes }
        }
    }

    private static func code<T: Equatable>(_ value: T, _ all: [T]) -> Int { all.firstIndex(of: value)! }
}

/// Reads an entry's fields, never past the file's size: every count it returns is checked
/// against a limit before anything is allocated for it.
private struct EntryReader {
    struct Damaged: Error {}
    let descriptor: Int32
    var remaining: Int

    mutating func bytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= remaining else { throw Damaged() }
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var offset = 0
            while offset < count {
                let n = read(descriptor, buffer.baseAddress! + offset, min(count - offset, 1 << 26))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    failed = true
                    break
                }
                offset += n
            }
            initialized = offset
        }
        guard !failed else { throw Damaged() }
        remaining -= count
        return bytes
    }

    mutating func skip(_ count: Int) throws {
        guard count >= 0, count <= remaining, lseek(descriptor, off_t(count), SEEK_CUR) >= 0 else { throw Damaged() }
        remaining -= count
    }

    mutating func number() throws -> UInt64 {
        try bytes(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func count(limit: Int) throws -> Int {
        let value = try number()
        guard value <= UInt64(limit) else { throw Damaged() }
        return Int(value)
    }

    mutating func choice<T>(_ all: [T]) throws -> T {
        all[try count(limit: all.count - 1)]
    }
}

/// Two 64-bit FNV-1a hashes of different offsets over the same text: 128 bits, so that two
/// different folders' stamps never meet in practice.
private struct StampHasher {
    private(set) var value: (UInt64, UInt64) = (0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142)

    mutating func add(_ text: String) {
        for byte in text.utf8 + [0] {
            value.0 = (value.0 ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            value.1 = (value.1 ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
    }
}

private extension Array where Element == UInt8 {
    mutating func appendLittleEndian(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
