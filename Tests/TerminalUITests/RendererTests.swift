import XCTest
import VAECore
@testable import TerminalUI

final class RendererTests: XCTestCase {
    /// A 28x28 test card: a dark-to-light diagonal, a bright ring and a black square.
    static let testCard: [Float] = (0..<784).map { i in
        let (x, y) = (Float(i % 28), Float(i / 28))
        let ring = abs(((x - 14) * (x - 14) + (y - 14) * (y - 14)).squareRoot() - 9) < 1.5
        if x >= 3 && x < 9 && y >= 3 && y < 9 { return 0 }
        return ring ? 1 : (x + y) / 54 * 0.7
    }

    func testGrayRamp_HasTheTwentySixExactGreys() {
        XCTAssertEqual(GrayRamp.paletteIndices.count, 26)
        XCTAssertEqual(GrayRamp.paletteIndices.first, 16)
        XCTAssertEqual(GrayRamp.paletteIndices.last, 231)
        XCTAssertEqual(GrayRamp.intensities[1], 8)
        XCTAssertEqual(GrayRamp.intensities[24], 238)
        XCTAssertEqual(GrayRamp.level(0), 0)
        XCTAssertEqual(GrayRamp.level(1), 25)
        XCTAssertEqual(GrayRamp.level(13.0 / 255), 1)   // 13 is nearer 8 than 18
        XCTAssertEqual(GrayRamp.level(.nan), 0)
        XCTAssertEqual(GrayRamp.level(7), 25)
    }

    func testHalfBlock_UpperIsForegroundLowerIsBackground() {
        let renderer = ImageRenderer(mode: .half, color: true)
        XCTAssertEqual(renderer.cell(for: [0, 1]), Cell("▀", foreground: .gray(0), background: .gray(25)))
        XCTAssertEqual(renderer.cell(for: [0.5, 0.5]), Cell(" ", background: .gray(GrayRamp.level(0.5))))
        XCTAssertEqual(ImageRenderer(mode: .half, color: false).cell(for: [1, 1]).glyph, "█")
    }

    func testQuadrant_FindsTheSplitWithTheLeastError() {
        let renderer = ImageRenderer(mode: .quadrant, color: true)
        // Left column bright, right dark: ▌ with ink white and paper black, or its complement.
        let cell = renderer.cell(for: [1, 0, 1, 0])
        XCTAssertTrue(cell == Cell("▌", foreground: .gray(25), background: .gray(0))
                      || cell == Cell("▐", foreground: .gray(0), background: .gray(25)), "\(cell)")
        XCTAssertEqual(renderer.cell(for: [0.2, 0.2, 0.2, 0.2]).glyph, " ")
    }

    func testBraille_SetsDotsForBrightSubpixels() {
        let renderer = ImageRenderer(mode: .braille, color: false)
        XCTAssertEqual(renderer.cell(for: [1, 0, 0, 0, 0, 0, 0, 0]).glyph, "⠁")
        XCTAssertEqual(renderer.cell(for: [1, 1, 1, 1, 1, 1, 1, 1]).glyph, "⣿")
        XCTAssertEqual(renderer.cell(for: [0, 0, 0, 0, 0, 0, 0, 1]).glyph, "⢀")
    }

    func testResample_ReplicatesOnIntegerEnlargementAndAveragesOnReduction() {
        let image: [Float] = [0, 1, 0.5, 0.25]
        XCTAssertEqual(ImageResampling.areaAverage(image, width: 2, height: 2, toWidth: 4, toHeight: 4),
                       [0, 0, 1, 1, 0, 0, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.5, 0.5, 0.25, 0.25])
        let half = ImageResampling.areaAverage(image, width: 2, height: 2, toWidth: 1, toHeight: 1)
        XCTAssertEqual(half[0], 0.4375, accuracy: 1e-6)
    }

    func testFittedSize_KeepsTheAspectWithCellsTwiceAsTallAsWide() {
        let renderer = ImageRenderer(mode: .half, color: true)
        XCTAssertTrue(renderer.fittedSize(width: 28, height: 28, columns: 100, rows: 14) == (28, 14))
        XCTAssertTrue(renderer.fittedSize(width: 28, height: 28, columns: 28, rows: 100) == (28, 14))
        XCTAssertTrue(renderer.fittedSize(width: 28, height: 28, columns: 56, rows: 28) == (56, 28))
    }

    func testAutomaticChoice_FollowsTheTerminal() {
        XCTAssertEqual(TerminalAbilities(unicode: true, colors: 256, noColor: false).imageGlyphs, .half)
        XCTAssertEqual(TerminalAbilities(unicode: true, colors: 256, noColor: true).imageGlyphs, .ascii)
        XCTAssertEqual(TerminalAbilities(unicode: true, colors: 8, noColor: false).imageGlyphs, .ascii)
        XCTAssertEqual(TerminalAbilities(unicode: false, colors: 256, noColor: false).imageGlyphs, .ascii)
        XCTAssertEqual(TerminalAbilities(unicode: true, colors: 0, noColor: false).plotGlyphs, .braille)
        XCTAssertEqual(TerminalAbilities(unicode: false, colors: 256, noColor: false).plotGlyphs, .ascii)
    }

    func testChosenImageGlyphs_WinOverTheAutomaticChoice() {
        XCTAssertEqual(TerminalAbilities(unicode: true, colors: 256, noColor: false, chosenImageGlyphs: .ascii).imageGlyphs, .ascii)
        XCTAssertEqual(TerminalAbilities(unicode: true, colors: 8, noColor: false, chosenImageGlyphs: .braille).imageGlyphs, .braille)
    }

    /// Golden renders of the test card in each mode, in a 30x15 panel.
    func testGoldenRenders_EachGlyphMode() {
        for (mode, color) in [(GlyphMode.half, true), (.half, false), (.quadrant, true), (.braille, true), (.ascii, false)] {
            var grid = Grid(width: 30, height: 15)
            ImageRenderer(mode: mode, color: color).draw(Self.testCard, width: 28, height: 28, into: &grid,
                                                         x: 0, y: 0, columns: 30, rows: 15)
            assertSnapshot(grid, named: "testCard-\(mode.rawValue)\(color ? "" : "-mono")-30x15")
        }
    }
}
