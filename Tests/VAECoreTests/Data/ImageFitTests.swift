import Foundation
import XCTest
@testable import VAECore

final class ImageFitTests: XCTestCase {
    /// A 2:1 image, 56 x 28: a light frame one pixel wide around a dark field, a vertical bar
    /// at columns 26 and 27 and a horizontal one at rows 12 and 13, so that stretching would show.
    private let wide: ImageFile.Gray = {
        let (w, h) = (56, 28)
        var pixels = [Float](repeating: 0.1, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                if x == 0 || y == 0 || x == w - 1 || y == h - 1 { pixels[y * w + x] = 0.9 }
                if x == 26 || x == 27 || y == 12 || y == 13 { pixels[y * w + x] = 1 }
            }
        }
        return ImageFile.Gray(width: w, height: h, pixels: pixels)
    }()

    func testPad_LetterboxesAWideImageUnstretchedWithMarginsOfItsBorder() {
        let fitted = ImageFit.pad.resized(wide, toWidth: 28, toHeight: 28)
        XCTAssertEqual(fitted.count, 784)
        // Halved both ways into rows 7..<21, the bands above and below the border's mean.
        let border = ImageFit.borderMean(wide)
        XCTAssertEqual(border, (156 * 0.9 + 8 * 1) / 164, accuracy: 1e-5, "164 border pixels, 8 of them on the bars")
        for y in Array(0..<7) + Array(21..<28) {
            XCTAssertEqual(Array(fitted[(y * 28)..<((y + 1) * 28)]), [Float](repeating: border, count: 28), "margin row \(y)")
        }
        let band = ImageResampling.areaAverage(wide.pixels, width: 56, height: 28, toWidth: 28, toHeight: 14)
        XCTAssertEqual(Array(fitted[(7 * 28)..<(21 * 28)]), band, "the whole image, halved both ways")
        // The bar two pixels wide and two high is one pixel each way: not stretched.
        XCTAssertEqual(fitted[(7 + 6) * 28 + 5], 1, accuracy: 1e-6, "the horizontal bar, row 6 of the band")
        XCTAssertEqual(fitted[(7 + 3) * 28 + 13], 1, accuracy: 1e-6, "the vertical bar, column 13")
        XCTAssertEqual(fitted[(7 + 3) * 28 + 12], 0.1, accuracy: 1e-6)
    }

    func testPad_FillsTheSideMarginsOfATallImage() {
        let tall = ImageFile.Gray(width: 10, height: 20, pixels: (0..<200).map { Float($0 % 10) / 9 })
        let fitted = ImageFit.pad.resized(tall, toWidth: 10, toHeight: 10)
        let border = ImageFit.borderMean(tall)
        for y in 0..<10 {
            XCTAssertEqual(Array(fitted[(y * 10)..<(y * 10 + 2)]) + Array(fitted[(y * 10 + 7)..<(y * 10 + 10)]),
                           [Float](repeating: border, count: 5), "row \(y): columns 0-1 and 7-9 are margin")
        }
    }

    func testCrop_KeepsTheCentreOfAWideImage() {
        let fitted = ImageFit.crop.resized(wide, toWidth: 28, toHeight: 28)
        let centre = (0..<28).flatMap { y in wide.pixels[(y * 56 + 14)..<(y * 56 + 42)] }
        XCTAssertEqual(fitted, centre, "columns 14..<42, at their own size")
        let tall = ImageFile.Gray(width: 4, height: 8, pixels: (0..<32).map(Float.init))
        XCTAssertEqual(ImageFit.crop.resized(tall, toWidth: 4, toHeight: 4), Array((8..<24).map(Float.init)), "rows 2..<6")
    }

    func testAnImageOfTheTargetsAspect_GivesTheAreaAverageUnderBothFits() {
        var rng = RandomGenerator(seed: 3)
        let square = ImageFile.Gray(width: 40, height: 40, pixels: (0..<1600).map { _ in rng.uniform(0, 1) })
        let plain = ImageResampling.areaAverage(square.pixels, width: 40, height: 40, toWidth: 28, toHeight: 28)
        for fit in ImageFit.allCases {
            XCTAssertEqual(fit.resized(square, toWidth: 28, toHeight: 28), plain, "\(fit)")
            XCTAssertEqual(ImageFile.prepared(square, for: .mnist, fit: fit, inversion: .never), plain, "\(fit)")
        }
    }

    func testPadThenAutomaticInversion_TurnsAWhitePageAndItsMarginsBlack() {
        // A dark dot on a white page, twice as wide as high.
        var pixels = [Float](repeating: 1, count: 60 * 30)
        pixels[15 * 60 + 30] = 0
        let page = ImageFile.Gray(width: 60, height: 30, pixels: pixels)
        let prepared = ImageFile.prepared(page, for: .mnist, fit: .pad)
        XCTAssertEqual(prepared[0], 0, accuracy: 1e-6, "the margin became the dark background")
        XCTAssertEqual(prepared[14 * 28 + 2], 0, accuracy: 1e-6, "and the page")
        XCTAssertGreaterThan(prepared.max()!, 0.1, "the dot became light")
    }

    func testImageFolders_AreCroppedByDefaultAndPaddedOnRequest() throws {
        let dir = NSTemporaryDirectory() + "latent-fit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for i in 0..<2 { try ImageFile.write(wide, to: "\(dir)/\(i).png") }
        let stored = try ImageFile.read(path: "\(dir)/1.png")
        let cropped = try DataSpec(parsing: dir).load()
        XCTAssertEqual(Array(cropped.test.image(0)), quantised(ImageFile.prepared(stored, for: .mnist, fit: .crop)))
        let padded = try DataSpec(parsing: dir).load(options: DataOptions(fit: .pad), testOnly: true)
        XCTAssertEqual(Array(padded.test.image(0)), quantised(ImageFile.prepared(stored, for: .mnist, fit: .pad)))
        XCTAssertNotEqual(Array(padded.test.image(0)), Array(cropped.test.image(0)))
    }
}
