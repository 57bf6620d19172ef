import XCTest
@testable import VAECore

final class LossCurvePlotTests: XCTestCase {
    func record(_ epoch: Int, loss: Double, kl: Double) -> EpochRecord {
        EpochRecord(epoch: epoch, step: epoch * 10, train: LossTerms(reconstruction: loss - kl, kl: kl, total: loss),
                    test: EvaluationResult(count: 100, reconstruction: loss - kl + 3, kl: kl + 0.5), beta: 1,
                    trainSeconds: 1, imagesPerSecond: 100)
    }

    func testTicks_AreRoundStepsCoveringTheValues() {
        let losses = NiceTicks(covering: 256.3, 304.1, about: 5)
        XCTAssertEqual(losses.step, 10)
        XCTAssertEqual(losses.values, [250, 260, 270, 280, 290, 300, 310])
        XCTAssertEqual(losses.label(260), "260")
        let kl = NiceTicks(covering: 6.27, 6.54, about: 3)
        XCTAssertEqual(kl.step, 0.1, accuracy: 1e-12)
        XCTAssertEqual(kl.values.map(kl.label), ["6.2", "6.3", "6.4", "6.5", "6.6"])
        XCTAssertEqual([losses.decimals, kl.decimals, NiceTicks(covering: 0.0121, 0.0149, about: 4).decimals], [0, 1, 3])
        XCTAssertEqual(NiceTicks(covering: -0.04, 1, about: 5).label(-0.0001), "0.0")
        let epochs = NiceTicks(covering: 1, 100, about: 10, integers: true)
        XCTAssertEqual(epochs.values(within: 1...100), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
        XCTAssertEqual(NiceTicks(covering: 1, 10, about: 10, integers: true).values(within: 1...10), (1...10).map(Double.init))
        XCTAssertEqual(NiceTicks(covering: 1, 1, about: 10, integers: true).values(within: 1...1), [1])
    }

    func testPanels_AVAEShowsItsKLAndAnAutoencoderOnlyItsReconstruction() {
        let history = [record(1, loss: 300, kl: 6), record(2, loss: 280, kl: 7)]
        let vae = LossCurvePlot.panels(history, kind: .vae, reconstruction: .bce)
        XCTAssertEqual(vae.map(\.title), ["nats per image", "KL (nats per image)"])
        XCTAssertEqual(vae[0].series.map(\.name), ["train loss", "test -ELBO", "train recon"])
        XCTAssertEqual(vae[0].series[1].values, [303.5, 283.5])
        XCTAssertEqual(vae[1].series.map(\.name), ["train KL", "test KL"])
        let ae = LossCurvePlot.panels(history, kind: .ae, reconstruction: .mse)
        XCTAssertEqual(ae.map(\.title), ["squared error per image"])
        XCTAssertEqual(ae[0].series.map(\.name), ["train recon", "test recon"])
    }

    func testOneEpoch_IsDrawnAsMarkers() {
        let picture = LossCurvePlot.render([record(1, loss: 300, kl: 6)], width: 640, height: 440)
        // The single epoch sits mid-axis; its markers are the only ink in that column of the
        // top panel's plot area, apart from the dotted grid lines.
        let x = (64 + 624) / 2
        let ink = (40..<230).filter { picture.pixels[$0 * 640 + x] < 0.5 }
        XCTAssertGreaterThanOrEqual(ink.count, 4, "a marker is several pixels tall")
    }

    func testAbsurdValues_AreLeftOutInsteadOfOverflowingTheAxes() {
        // Finite, but their spread is more than a Double holds; and NaN, and infinity.
        let history = [record(1, loss: -1.7e308, kl: .nan), record(2, loss: 1.7e308, kl: .infinity),
                       record(3, loss: 250, kl: 6), record(4, loss: 240, kl: 6.5)]
        let picture = LossCurvePlot.render(history, width: 640, height: 440)
        XCTAssertEqual(picture.width, 640)
        XCTAssertTrue(picture.pixels.contains { $0 < 0.1 }, "the sane epochs are drawn")
    }

    func testLegend_GoesToTheCornerTheLinesLeaveFree() {
        var canvas = PlotCanvas(width: 200, height: 100)
        // A thick line across the top right.
        canvas.fill(x: 100, y: 0, width: 100, height: 50, 0)
        let series = [LossCurvePlot.Series(name: "a", values: [1], shade: 0, dash: 0, marker: .filled)]
        canvas.drawLegend(series, x0: 0, x1: 199, y0: 0, y1: 99)
        // The legend's light frame starts in the top left corner.
        XCTAssertEqual(canvas.pixels[6 * 200 + 8], 0.7)
    }
}
