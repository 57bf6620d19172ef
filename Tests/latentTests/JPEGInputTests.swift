import Foundation
import JPEGTestSupport
import XCTest
import VAECore

/// JPEG files through the built binary: folders of them as data, interpolation between two,
/// and every bad one refused in one line with exit status 2.
final class JPEGInputTests: CommandTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try temporaryDirectory()
        _ = try JPEGFiles.cjpegPath()  // fails, saying how to install it, rather than skipping
    }

    private func write(_ bytes: [UInt8], to name: String) -> String {
        let path = dir + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    /// A 150 x 100 colour picture, brighter by `shift`, as a PPM.
    private func picture(shift: Int) -> [UInt8] {
        var rgb = JPEGFiles.picture(width: 150, height: 100)
        for i in 0..<rgb.count { rgb[i] = UInt8(min(255, Int(rgb[i]) + shift)) }
        return JPEGFiles.ppm(width: 150, height: 100, rgb: rgb)
    }

    func testAFolderOfJPEGs_TrainsEvaluatesAndInterpolates() throws {
        let photos = dir + "/photos"
        try FileManager.default.createDirectory(atPath: photos, withIntermediateDirectories: true)
        for i in 0..<7 {
            let jpeg = try JPEGFiles.cjpeg(picture(shift: 10 * i), i % 2 == 0 ? [] : ["-progressive"])
            _ = write(jpeg, to: "photos/\(i).\(i == 3 ? "jpeg" : "jpg")")
        }
        let model = dir + "/m.safetensors"
        let trained = try latent(["train", "--data", photos, "--arch", tinyArch, "--epochs", "1", "--out", model])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let evaluated = try latent(["eval", "--data", photos, "--model", model])
        XCTAssertEqual(evaluated.status, 0, evaluated.stderr)
        let strip = dir + "/strip.png"
        let result = try latent(["interpolate", photos + "/0.jpg", photos + "/3.jpeg", "--model", model, "--out", strip])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("wrote \(strip): 9 frames from 0.jpg to 3.jpeg"), result.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: strip))
    }

    func testBadJPEGs_OneLineAndExitTwo() throws {
        let model = try trainSmallModel(dir + "/m.safetensors", arch: tinyArch)
        let jpeg = try JPEGFiles.cjpeg(picture(shift: 0), ["-quality", "95"])
        let cases: [(String, String)] = [
            (write(Array(jpeg.prefix(jpeg.count / 2)), to: "cut.jpg"),
             "cut.jpg: truncated or corrupt JPEG (the file ends before its image data does)"),
            (write(try JPEGFiles.adobeFourComponent(jpeg, transform: 0), to: "cmyk.jpg"),
             "cmyk.jpg: a CMYK JPEG, which latent does not read; save it as an RGB JPEG or a PNG"),
            (write(Array("<html>not found</html>\n".utf8), to: "page.jpg"),
             "page.jpg: not a JPEG image (a JPEG starts with the bytes FF D8 FF)"),
            (write(try JPEGFiles.declaring(width: 30000, height: 30000, jpeg), to: "huge.jpeg"),
             "huge.jpeg: 30000x30000 pixels is more than the 67108864 (8192x8192) latent reads; scale the image down first"),
        ]
        for (file, message) in cases {
            try assertBadInput(["interpolate", file, "0", "--model", model, "--out", dir + "/s.png"], message)
        }
        // In a folder, the bad file is named among good ones.
        let photos = dir + "/photos"
        try FileManager.default.createDirectory(atPath: photos, withIntermediateDirectories: true)
        for i in 0..<3 { _ = write(jpeg, to: "photos/\(i).jpg") }
        _ = write(Array(jpeg.prefix(jpeg.count / 2)), to: "photos/3.jpg")
        try assertBadInput(["train", "--data", photos, "--arch", tinyArch, "--epochs", "1", "--out", dir + "/n.safetensors"],
                           "photos/3.jpg: truncated or corrupt JPEG")
    }
}
