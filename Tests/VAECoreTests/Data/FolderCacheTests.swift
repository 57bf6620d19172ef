import Foundation
import XCTest
@testable import VAECore

/// The cache that makes a second load of an image folder one file read: hits, misses after any
/// change, damaged entries, where it lives, and the limits that keep it from filling a disk.
final class FolderCacheTests: XCTestCase {
    func testCache_HitsWhenNothingChanged_MissesAfterAChange() throws {
        let dir = try temporaryDirectory(self), cacheDir = try temporaryDirectory(self)
        let cache = FolderCache(directory: cacheDir + "/folders")
        for i in 0..<6 { writePPM("\(dir)/\(i).ppm", (UInt8(40 * i), 100, 50)) }
        let first = try ImageFolder.load(dir, cache: cache)
        let entries = try FileManager.default.contentsOfDirectory(atPath: cacheDir + "/folders")
        XCTAssertEqual(entries.count, 1, "one entry per folder")
        let entry = cacheDir + "/folders/" + entries[0]

        // A hit reads the entry, not the images: a marked entry shows through.
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: entry))
        bytes[bytes.count - 1] ^= 0xFF
        XCTAssertTrue(FileManager.default.createFile(atPath: entry, contents: bytes))
        let hit = try ImageFolder.load(dir, cache: cache)
        XCTAssertEqual(hit.train.pixels, first.train.pixels)
        XCTAssertNotEqual(hit.test.pixels, first.test.pixels, "came from the entry")
        XCTAssertEqual(try ImageFolder.load(dir, options: DataOptions(size: 40, channels: 3), cache: cache).test.pixels,
                       hit.test.pixels, "asking for what the folder chose is the same entry")
        XCTAssertEqual(try ImageFolder.load(dir, testOnly: true, cache: cache).test.pixels, hit.test.pixels)

        // Other options miss and replace the entry.
        let small = try ImageFolder.load(dir, options: DataOptions(size: 20), cache: cache)
        XCTAssertEqual(small.shape.height, 20)
        XCTAssertEqual(try ImageFolder.load(dir, cache: cache).test.pixels, first.test.pixels, "read again")

        // A changed image misses.
        bytes = try XCTUnwrap(FileManager.default.contents(atPath: entry))
        bytes[bytes.count - 1] ^= 0xFF
        XCTAssertTrue(FileManager.default.createFile(atPath: entry, contents: bytes))
        writePPM("\(dir)/5.ppm", width: 40, height: 40, (0, 0, 255))
        let changed = try ImageFolder.load(dir, cache: cache)
        XCTAssertEqual(changed.test.image(0)[40 * 40 * 3 - 1], 1, "the new picture, not the entry")
        // So does an added one, and a damaged entry is a miss, not an error.
        writePPM("\(dir)/6.ppm", (1, 2, 3))
        XCTAssertEqual(try ImageFolder.load(dir, cache: cache).train.count, 6)
        XCTAssertTrue(FileManager.default.createFile(atPath: entry, contents: Data([1, 2, 3])))
        XCTAssertEqual(try ImageFolder.load(dir, cache: cache).train.count, 6)
    }

    func testCache_AnEntryWhoseSplitOrClassesDoNotMatchTheFolderIsAMiss() throws {
        let dir = try temporaryDirectory(self), cacheDir = try temporaryDirectory(self)
        let cache = FolderCache(directory: cacheDir)
        for i in 0..<6 { writePPM("\(dir)/\(i).ppm", (UInt8(40 * i), 100, 50)) }
        let first = try ImageFolder.load(dir, cache: cache)
        let entry = cacheDir + "/" + (try FileManager.default.contentsOfDirectory(atPath: cacheDir))[0]
        // The training and test counts (after the magic, version, stamp, file count and six
        // settings, 8 bytes each) swapped for 0 and 6: a valid-looking entry of no training set.
        var bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: entry)))
        for (offset, value) in [(88, 0), (96, 6)] {
            for k in 0..<8 { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: entry, contents: Data(bytes)))
        let again = try ImageFolder.load(dir, cache: cache)
        XCTAssertEqual(again.train.count, 5, "read again, not taken from the entry")
        XCTAssertEqual(again.test.pixels, first.test.pixels)
        // A FIFO where the entry belongs is a miss too, at once.
        try FileManager.default.removeItem(atPath: entry)
        XCTAssertEqual(mkfifo(entry, 0o644), 0)
        XCTAssertEqual(try ImageFolder.load(dir, cache: cache).train.count, 5)
        // Either is replaced by the new entry; a link's target is left alone.
        var status = stat()
        XCTAssertEqual(lstat(entry, &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFREG, "the FIFO was replaced by an entry")
        let outside = try temporaryDirectory(self) + "/notes.txt"
        XCTAssertTrue(FileManager.default.createFile(atPath: outside, contents: Data("mine".utf8)))
        try FileManager.default.removeItem(atPath: entry)
        try FileManager.default.createSymbolicLink(atPath: entry, withDestinationPath: outside)
        XCTAssertEqual(try ImageFolder.load(dir, cache: cache).train.count, 5)
        XCTAssertEqual(FileManager.default.contents(atPath: outside), Data("mine".utf8))
        XCTAssertEqual(lstat(entry, &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFREG, "the link was replaced by an entry")
    }

    func testCacheLocation_FollowsXDG_AndLATENT_CACHESetsItsLimit() throws {
        XCTAssertEqual(try FolderCache.standard(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"])?.directory, "/c/latent/folders")
        XCTAssertEqual(try FolderCache.standard(environment: ["HOME": "/h"])?.directory, "/h/.cache/latent/folders")
        XCTAssertEqual(try FolderCache.standard(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"])?.directory,
                       "/h/.cache/latent/folders")
        XCTAssertNil(try FolderCache.standard(environment: [:]))
        XCTAssertNil(try FolderCache.standard(environment: ["HOME": "/h", "LATENT_CACHE": "off"]), "turned off")
        XCTAssertEqual(try FolderCache.standard(environment: ["HOME": "/h"])?.limit, 10 << 30)
        for (setting, bytes) in [("20G", 20 << 30), ("500m", 500 << 20), ("4096", 4096), ("0", 0), ("1T", 1 << 40)] {
            XCTAssertEqual(try FolderCache.standard(environment: ["HOME": "/h", "LATENT_CACHE": setting])?.limit, bytes, setting)
        }
        for setting in ["on", "-1G", "1.5G", "G", "20GB", "99999999999T", "２G"] {
            XCTAssertThrowsError(try FolderCache.standard(environment: ["HOME": "/h", "LATENT_CACHE": setting]), setting) { error in
                XCTAssertEqual("\(error)", "LATENT_CACHE='\(setting)': give off, or the cache's largest size such as 20G or 500M")
            }
        }
    }

    /// Folders of six 40x40 colour images: 28,800 bytes of pixels each.
    private func folders(_ count: Int) throws -> [String] {
        try (0..<count).map { n in
            let dir = try temporaryDirectory(self)
            for i in 0..<6 { writePPM("\(dir)/\(i).ppm", (UInt8(40 * i), UInt8(n), 50)) }
            return dir
        }
    }

    private func entries(_ cache: FolderCache) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cache.directory)) ?? []).filter { $0.hasSuffix(".folder") }.sorted()
    }

    func testCache_DropsTheLeastRecentlyUsedFolderToStayUnderItsLimit() throws {
        let dirs = try folders(3)
        // Room for two entries of about 29 KB, not three.
        let cache = FolderCache(directory: try temporaryDirectory(self) + "/folders", limit: 70_000, keepFree: 0)
        _ = try ImageFolder.load(dirs[0], cache: cache)
        let first = try XCTUnwrap(entries(cache).first)
        _ = try ImageFolder.load(dirs[1], cache: cache)
        XCTAssertEqual(entries(cache).count, 2)
        let second = try XCTUnwrap(entries(cache).first { $0 != first })
        // Both dated long ago, the first before the second (file times move in clock ticks, so
        // entries written a moment apart may carry the same time)...
        func date(_ entry: String, _ seconds: Int) {
            let time = timespec(tv_sec: seconds, tv_nsec: 0)
            XCTAssertEqual(utimensat(AT_FDCWD, cache.directory + "/" + entry, [time, time], 0), 0)
        }
        date(first, 1)
        date(second, 2)
        // ...then a hit on the first makes the second the least recently used.
        _ = try ImageFolder.load(dirs[0], cache: cache)
        var status = stat()
        XCTAssertEqual(stat(cache.directory + "/" + first, &status), 0)
        XCTAssertGreaterThan(status.st_mtim.tv_sec, 2, "a hit counts as a use")
        _ = try ImageFolder.load(dirs[2], cache: cache)
        let kept = entries(cache)
        XCTAssertEqual(kept.count, 2)
        XCTAssertTrue(kept.contains(first), "the folder used last stays")
        XCTAssertFalse(kept.contains(second), "the least recently used goes")
        let sizes = kept.map { (try? FileManager.default.attributesOfItem(atPath: cache.directory + "/" + $0)[.size] as? Int) ?? 0 }
        XCTAssertLessThanOrEqual(sizes.reduce(0, +), cache.limit)
    }

    func testCache_AnEntryOverTheLimitOrTheFreeSpace_IsNotWritten_AndTheOldOneGoes() throws {
        let dirs = try folders(1)
        let base = try temporaryDirectory(self) + "/folders"
        _ = try ImageFolder.load(dirs[0], cache: FolderCache(directory: base))
        XCTAssertEqual(entries(FolderCache(directory: base)).count, 1)
        // Asked at another size, the folder's entry would be replaced; too large for the limit,
        // the old entry goes and no new one comes, and the load itself succeeds.
        let small = FolderCache(directory: base, limit: 10_000, keepFree: 0)
        XCTAssertEqual(try ImageFolder.load(dirs[0], options: DataOptions(size: 32), cache: small).shape.height, 32)
        XCTAssertEqual(entries(small), [])
        // A disk that would be left with less than keepFree gets no entry either.
        let full = FolderCache(directory: base, keepFree: Int.max / 2)
        XCTAssertEqual(try ImageFolder.load(dirs[0], cache: full).train.count, 5)
        XCTAssertEqual(entries(full), [])
        XCTAssertEqual(try ImageFolder.load(dirs[0], cache: FolderCache(directory: base)).train.count, 5)
        XCTAssertEqual(entries(FolderCache(directory: base)).count, 1, "with room, it is kept again")
    }
}
