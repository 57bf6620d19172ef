import XCTest
import VAECore
@testable import TerminalUI

/// Colour images: the 256-colour palette, its ordered dither, and half-blocks in colour.
final class ColourRenderingTests: XCTestCase {
    func testPalette_IsXtermsCubeAndGreyRamp() {
        XCTAssertTrue(Palette256.rgb(16) == (0, 0, 0))
        XCTAssertTrue(Palette256.rgb(196) == (255, 0, 0))
        XCTAssertTrue(Palette256.rgb(67) == (95, 135, 175))
        XCTAssertTrue(Palette256.rgb(231) == (255, 255, 255))
        XCTAssertTrue(Palette256.rgb(232) == (8, 8, 8))
        XCTAssertTrue(Palette256.rgb(255) == (238, 238, 238))
        // Every fixed colour maps to itself.
        for index in 16...255 {
            let c = Palette256.rgb(index)
            XCTAssertTrue(Palette256.rgb(Palette256.nearest(c.r, c.g, c.b)) == c, "\(index)")
        }
    }

    /// A smooth colour field of `side` x `side` pixels, sRGB 0-255 per channel, row-major.
    func field(side: Int, shift: Double = 0) -> [(Int, Int, Int)] {
        (0..<(side * side)).map { i in
            let (x, y) = (Double(i % side) / Double(side), Double(i / side) / Double(side))
            func channel(_ v: Double) -> Int { Int((min(max(v + shift, 0), 1) * 255).rounded()) }
            return (channel(0.15 + 0.7 * x), channel(0.2 + 0.6 * y * (1 - x)), channel(0.9 - 0.5 * x * y))
        }
    }

    /// ΔE_OK between two colours given as sRGB bytes.
    func distance(_ p: (Int, Int, Int), _ q: (Int, Int, Int)) -> Float {
        func lab(_ c: (Int, Int, Int)) -> OKLab { OKLab(red: Float(c.0) / 255, green: Float(c.1) / 255, blue: Float(c.2) / 255) }
        return lab(p).distance(to: lab(q))
    }

    func testColourError_256AgainstDirectColour() {
        // Random colours, nearest fixed colour: the palette's own error.
        var rng = RandomGenerator(seed: 5)
        var errors: [Float] = []
        for _ in 0..<20_000 {
            let c = (Int(rng.uniform(0, 256)) & 255, Int(rng.uniform(0, 256)) & 255, Int(rng.uniform(0, 256)) & 255)
            errors.append(distance(c, Palette256.rgb(Palette256.nearest(c.0, c.1, c.2))))
        }
        errors.sort()
        let mean = errors.reduce(0, +) / Float(errors.count), p95 = errors[errors.count * 95 / 100]
        // A smooth image as a terminal shows it: dithered per pixel, and seen a little blurred.
        let side = 56
        let image = field(side: side)
        let shown = image.indices.map { i in Palette256.rgb(Palette256.index(image[i].0, image[i].1, image[i].2, x: i % side, y: i / side)) }
        let perPixel = image.indices.map { distance(image[$0], shown[$0]) }.reduce(0, +) / Float(image.count)
        func blurred(_ pixels: [(Int, Int, Int)]) -> [(Int, Int, Int)] {
            (0..<(side * side)).map { i in
                let (x, y) = (i % side, i / side)
                var sum = (0, 0, 0), n = 0
                for dy in -1...1 { for dx in -1...1 where (0..<side).contains(x + dx) && (0..<side).contains(y + dy) {
                    let p = pixels[(y + dy) * side + x + dx]
                    sum = (sum.0 + p.0, sum.1 + p.1, sum.2 + p.2)
                    n += 1
                } }
                return (sum.0 / n, sum.1 / n, sum.2 / n)
            }
        }
        let (imageBlurred, shownBlurred) = (blurred(image), blurred(shown))
        let seen = image.indices.map { distance(imageBlurred[$0], shownBlurred[$0]) }.reduce(0, +) / Float(image.count)
        print(String(format: "colour error (dE_OK): 256 colours, nearest of random colours mean %.3f p95 %.3f; smooth image dithered %.3f per pixel, %.3f after a 3x3 blur; 24-bit 0",
                     mean, p95, perPixel, seen))
        XCTAssertLessThan(mean, 0.05)
        XCTAssertLessThan(p95, 0.1)
        XCTAssertLessThan(perPixel, 0.07)
        XCTAssertLessThan(seen, 0.03, "the dither averages out to the image's colours")
    }

    func testDither_StaysStillWhenTheImageChangesALittle() {
        let side = 56
        let (before, after) = (field(side: side), field(side: side, shift: 0.004))
        let changed = before.indices.filter { i in
            Palette256.index(before[i].0, before[i].1, before[i].2, x: i % side, y: i / side)
                != Palette256.index(after[i].0, after[i].1, after[i].2, x: i % side, y: i / side)
        }.count
        XCTAssertLessThan(Double(changed) / Double(before.count), 0.15, "\(changed) of \(before.count) pixels changed")
    }

    func testHalfBlocks_CarryEachPixelsColour() {
        // 2x2 pixels: red, green over blue, white; planes red, green, blue.
        let pixels: [Float] = [1, 0, 0, 1,  0, 1, 0, 1,  0, 0, 1, 1]
        var grid = Grid(width: 2, height: 1)
        ImageRenderer(mode: .half, color: true).draw(pixels, width: 2, height: 2, channels: 3, into: &grid, x: 0, y: 0, columns: 2, rows: 1)
        XCTAssertEqual(grid[0, 0], Cell("▀", foreground: .rgb(255, 0, 0), background: .rgb(0, 0, 255)))
        XCTAssertEqual(grid[1, 0], Cell("▀", foreground: .rgb(0, 255, 0), background: .rgb(255, 255, 255)))
        // Without colour, or in ASCII, the luminance: one row of cells (a cell is two pixels
        // tall), red over blue dark on the left, green over white bright on the right.
        var plain = Grid(width: 2, height: 2)
        ImageRenderer(mode: .ascii, color: false).draw(pixels, width: 2, height: 2, channels: 3, into: &plain, x: 0, y: 0, columns: 2, rows: 2)
        XCTAssertEqual(plain.lines, [".%", "  "])
        XCTAssertTrue(plain.cells.allSatisfy { $0.foreground == .terminalDefault && $0.background == .terminalDefault })
    }

    /// An untrained colour conv model over 60 sprites (or over `data`).
    func colourState(data: Dataset = Sprites.generate(count: 60, seed: 2, name: "sprites/test")) -> ExploreState {
        let architecture = Architecture(body: .conv(filters: [8, 16], dense: 16), latent: 2, image: Sprites.shape)
        return ExploreState(model: VAE(configuration: ModelConfiguration(architecture: architecture), seed: 1), data: data)
    }

    func testExplorer_DrawsAColourModelAndItsDataInColour() {
        let state = colourState()
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30), state: state, title: "colour")
        app.handle(.character("n"))
        let frame = app.frame()
        // The original beside its reconstruction: the sprite's saturated colours are there.
        let saturated = frame.cells.contains { cell in
            guard case .rgb(let r, let g, let b) = cell.foreground else { return false }
            return Int(max(r, g, b)) - Int(min(r, g, b)) > 100
        }
        XCTAssertTrue(saturated, "a sprite's colours reach the screen")
        XCTAssertTrue(frame.lines.contains { $0.contains("0 circle") } && frame.lines.contains { $0.contains("5 ring") }, "the legend names the shapes")
        // Without colour, the same view in luminance.
        let plain = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30, abilities: .init(unicode: false, colors: 0, noColor: true)),
                                state: state, title: "colour").frame()
        XCTAssertFalse(plain.cells.contains { if case .rgb = $0.foreground { return true } else { return false } })
    }

    func testDirectColourEntry_IsFoundForTheTerminalsOfThisMachine() {
        // ncurses-term, which `make` installs, has the direct-colour entries.
        XCTAssertEqual(NCursesTerminal.directEntry(for: "xterm-256color"), "xterm-direct")
        XCTAssertEqual(NCursesTerminal.directEntry(for: "tmux-256color"), "tmux-direct")
        XCTAssertEqual(NCursesTerminal.directEntry(for: "xterm-direct"), "xterm-direct")
        XCTAssertNil(NCursesTerminal.directEntry(for: "no-such-terminal"))
    }

    /// The colour explorer at 60x20 as a 256-colour and a 24-bit terminal are told to draw
    /// it: each cell's glyph, then its foreground and background colour numbers (palette
    /// indices, or 0xRRGGBB; -1 the terminal's default), as `ColorNumbers` gives them to curses.
    func testGoldenScreens_256And24BitColour() {
        let state = colourState()
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 60, rows: 20), state: state, title: "colour")
        app.handle(.character("n"))
        let frame = app.frame()
        for (name, colors) in [("256", 256), ("24bit", 1 << 24)] {
            let numbers = ColorNumbers(abilities: .init(unicode: true, colors: colors, noColor: false, directColor: colors > 256))
            var text = frame.lines.joined(separator: "\n") + "\n"
            for (title, background) in [("foreground", false), ("background", true)] {
                text += "--- \(title)\n"
                for y in 0..<frame.height {
                    text += (0..<frame.width).map { x in
                        let cell = frame[x, y]
                        let n = numbers.number(background ? cell.background : cell.foreground, x: x, y: 2 * y + (background ? 1 : 0))
                        return n < 0 ? "-" : colors > 256 ? String(n, radix: 16) : String(n)
                    }.joined(separator: " ") + "\n"
                }
            }
            assertSnapshot(text: text, named: "explore-colour-\(name)-60x20")
        }
    }

    func testUnlabelledColourImages_AreMappedInTheirMeanColour() {
        let sprites = Sprites.generate(count: 60, seed: 2, name: "photos")
        let state = colourState(data: Dataset(name: "photos", shape: sprites.shape, pixels: sprites.pixels, labels: nil, classNames: []))
        let frame = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30), state: state, title: "photos").frame()
        let mapColours = (2..<29).flatMap { y in (0..<49).map { frame[$0, y].foreground } }.filter {
            if case .rgb = $0 { return true } else { return false }
        }
        XCTAssertFalse(mapColours.isEmpty, "the points carry their images' colours")
    }
}
