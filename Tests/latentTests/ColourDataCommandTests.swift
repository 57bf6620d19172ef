import Foundation
import JPEGTestSupport
import XCTest
import VAECore

/// A folder of colour photos through the built binary, as a new user brings one: the model
/// chosen for it, the flags that change how it is read, the refusals, and the cache.
final class ColourDataCommandTests: CommandTestCase {
    private var photos = ""

    override func setUpWithError() throws {
        photos = try temporaryDirectory() + "/photos"
        try FileManager.default.createDirectory(atPath: photos, withIntermediateDirectories: true)
        for i in 0..<7 {
            var rgb = JPEGFiles.picture(width: 150, height: 100)
            for k in stride(from: 0, to: rgb.count, by: 3) { rgb[k] = rgb[k] &+ UInt8(30 * i) }
            let jpeg = try JPEGFiles.cjpeg(JPEGFiles.ppm(width: 150, height: 100, rgb: rgb))
            XCTAssertTrue(FileManager.default.createFile(atPath: "\(photos)/\(i).jpg", contents: Data(jpeg)))
        }
    }

    func testColourPhotos_TrainTheColourModelForTheirSize_AndAreCached() throws {
        let dir = try temporaryDirectory(), model = dir + "/p.safetensors"
        let trained = try latent(["train", "--data", photos, "--epochs", "1", "--json", "--out", model])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let (_, checkpoint) = try Checkpoint.load(path: model)
        XCTAssertEqual(checkpoint.configuration.architecture, .rgb64, "150x100 photos are fitted to 64x64")
        XCTAssertEqual(checkpoint.fit, .crop)
        let entries = try FileManager.default.contentsOfDirectory(atPath: try cacheHome() + "/latent/folders")
        XCTAssertEqual(entries.count, 1, "\(entries)")

        // The model's commands read the folder as it was trained: from the cache, in colour.
        let strip = dir + "/strip.png"
        let result = try latent(["interpolate", photos + "/0.jpg", photos + "/6.jpg", "--model", model, "--out", strip])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(Array(try XCTUnwrap(FileManager.default.contents(atPath: strip))[24..<26]), [8, 2], "an RGB PNG")
        XCTAssertEqual(try latent(["eval", "--model", model]).status, 0)

        // Smaller on request: --size, and the general forms take the data's size.
        let small = try latent(["train", "--data", photos, "--size", "32", "--arch", "conv(filters:[8,16],dense:8,latent:2)",
                                "--epochs", "1", "--out", dir + "/s.safetensors"])
        XCTAssertEqual(small.status, 0, small.stderr)
        XCTAssertEqual(try Checkpoint.load(path: dir + "/s.safetensors").1.configuration.architecture.image,
                       ImageShape(channels: 3, height: 32, width: 32))
    }

    func testGrayModelsAndOddSizes_AreRefusedWithTheWayOut() throws {
        let out = try temporaryDirectory() + "/m.safetensors"
        try assertBadInput(["train", "--data", photos, "--arch", "conv2", "--epochs", "1", "--out", out],
                           "conv2 is a gray model (28x28) but \(photos)/train holds colour images (3x28x28); read them with --color gray")
        try assertBadInput(["train", "--data", photos, "--size", "30", "--epochs", "1", "--out", out],
                           "has 3x30x30 images, but the standard architecture's layers take sides 16, 24, 32, 40, 48, 56, 64, 72, ... (multiples of 8); use --size with one of them")
        try assertBadInput(["train", "--data", photos, "--arch", "rgb32", "--size", "64", "--epochs", "1", "--out", out],
                           "--size 64: rgb32 takes 32x32 images; use --size 32")
        try assertBadInput(["train", "--data", "sprites:60", "--size", "48", "--epochs", "1", "--out", out],
                           "--size 48: sprites are drawn at 32 or 64 pixels a side")
        try assertBadInput(["train", "--data", photos, "--size", "0", "--epochs", "1", "--out", out], "--size must be from 1 to 512")
        let gray = try latent(["train", "--data", photos, "--color", "gray", "--arch", "conv2", "--epochs", "1", "--out", out])
        XCTAssertEqual(gray.status, 0, gray.stderr)
        let sprites = try latent(["train", "--data", "sprites:60", "--color", "gray", "--size", "64",
                                  "--arch", "conv(filters:[8,16],dense:8,latent:2)", "--epochs", "1", "--out", out, "--force"])
        XCTAssertEqual(sprites.status, 0, sprites.stderr)
        XCTAssertEqual(try Checkpoint.load(path: out).1.configuration.architecture.image, ImageShape(channels: 1, height: 64, width: 64))
    }

    func testBenchLoad_TimesTheFilesAndTheCache() throws {
        let folder = try latent(["bench", "--model", "rgb64", "--data", photos, "--load"])
        XCTAssertEqual(folder.status, 0, folder.stderr)
        let timing = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(folder.stdout.utf8)) as? [String: Any], folder.stdout)
        XCTAssertEqual(timing["images"] as? Int, 7)
        XCTAssertEqual(timing["image"] as? String, "3x64x64")
        // A number, not null: the entry was made and read (7 images may take under 0.5 ms).
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(timing["cached_seconds"] as? Double, folder.stdout), 0)
        XCTAssertGreaterThan(try XCTUnwrap(timing["decode_ms_per_image"] as? Double), 0)
        // Generated data has no cache to time.
        let sprites = try latent(["bench", "--model", "rgb32", "--data", "sprites:60", "--load"])
        XCTAssertEqual(sprites.status, 0, sprites.stderr)
        XCTAssertTrue(sprites.stdout.contains("\"cached_seconds\": null"), sprites.stdout)
    }

    func testLATENT_CACHE_TurnsTheCacheOff_OrLimitsIt_AndAnythingElseIsOneLine() throws {
        let out = try temporaryDirectory() + "/m.safetensors"
        let train = ["train", "--data", photos, "--arch", "rgb32", "--epochs", "1", "--out", out, "--force"]
        let folders = try cacheHome() + "/latent/folders"
        func entries() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folders)) ?? []).filter { $0.hasSuffix(".folder") } }
        XCTAssertEqual(try latent(train, setting: ["LATENT_CACHE": "off"]).status, 0)
        XCTAssertEqual(entries(), [], "off keeps nothing")
        XCTAssertEqual(try latent(train, setting: ["LATENT_CACHE": "1K"]).status, 0)
        XCTAssertEqual(entries(), [], "7 colour images of 32x32 are more than 1K")
        XCTAssertEqual(try latent(train, setting: ["LATENT_CACHE": "1M"]).status, 0)
        XCTAssertEqual(entries().count, 1)
        try assertBadInput(train, "LATENT_CACHE='lots': give off, or the cache's largest size such as 20G or 500M",
                           setting: ["LATENT_CACHE": "lots"])
    }
}
