import VAECore

/// What the training monitor and `latent watch` draw below their two status lines: the chart
/// of the loss terms with each epoch's test score and mark, the latent map of the test set,
/// and samples and reconstructions by the latest weights.
struct MonitorPanels {
    /// What the chart shows: series of one value per point (a step, or a run log's line).
    struct Chart {
        var total: [Double] = [], reconstruction: [Double] = [], kl: [Double] = []
        /// Points where an epoch ended, and the test score of each, at its point.
        var epochMarks: [Int] = []
        var testPoints: [(index: Int, score: Double)] = []
        /// Points where beta changed, and its new value.
        var betaChanges: [(index: Int, beta: Float)] = []
    }

    var chart = Chart()
    var samples: [[Float]] = []
    /// Test images and their reconstructions, side by side.
    var reconstructions: [(original: [Float], reconstruction: [Float])] = []
    /// The test set encoded by the latest weights.
    var map: ExploreState?
    var logarithmic = false

    /// An epoch's figures in whole fields, the test score kept longest.
    static func summary(of record: EpochRecord, width: Int) -> String {
        PriorityLine([
            .init(String(format: "epoch %d: train %.2f", record.epoch, record.train.total), priority: 5),
            .init(String(format: "(recon %.2f + KL %.2f)", record.train.reconstruction, record.train.kl), priority: 2),
            .init(String(format: "test %.2f", record.test.negativeELBO), priority: 4),
            .init(String(format: "%.0f img/s", record.imagesPerSecond), priority: 1),
        ]).text(width: width)
    }

    /// Takes in views computed from newer weights.
    mutating func show(_ views: RefreshedViews) {
        samples = views.samples
        reconstructions = views.reconstructions
        map = views.map
    }

    func draw(into grid: inout Grid, top: Int, rows: Int, abilities: TerminalAbilities, isVAE: Bool, shape: ImageShape) {
        let width = grid.width
        // Sample tiles grow with the window: 7 rows (14 columns) and up to twice that.
        let tileRows = rows >= 24 ? min(14, max(7, rows / 5)) : 0
        let sampleRows = tileRows > 0 ? tileRows + 1 : 0
        // Total and reconstruction differ by the KL, a few percent: the KL gets a panel and a
        // scale of its own below them. Without colour the total is bold.
        let color = abilities.usesColor
        let totalLine = LineChart.Series(name: "total", values: chart.total, color: color ? .palette(231) : .terminalDefault,
                                         style: color ? [] : .bold)
        let reconstructionLine = LineChart.Series(name: "recon", values: chart.reconstruction, color: color ? .palette(39) : .terminalDefault)
        let tests = LineChart.Points(name: "test", points: chart.testPoints.map { ($0.index, $0.score) },
                                     glyph: "o", color: color ? .palette(226) : .terminalDefault)
        var lines = LineChart(
            upper: .init(name: "loss", series: isVAE ? [totalLine, reconstructionLine] : [reconstructionLine], points: [tests]),
            lower: isVAE ? .init(name: "KL", series: [.init(name: "KL", values: chart.kl, color: color ? .palette(208) : .terminalDefault)]) : nil)
        lines.logarithmic = logarithmic
        lines.marks = chart.epochMarks
        lines.labelledMarks = chart.betaChanges.map { ($0.index, String(format: "beta %.2g", Double($0.beta))) }
        lines.braille = abilities.unicode
        let chartRows = rows - 3 - sampleRows
        let mapColumns = map == nil || width < 90 ? 0 : min(2 * chartRows + 2, width / 3)
        lines.draw(into: &grid, x: 1, y: top + 3, columns: width - 2 - mapColumns, rows: chartRows)
        if let map, mapColumns > 0 {
            // The encoded test set as the model learns, drawn as in the explore view.
            LatentMapView(abilities: abilities).draw(map, into: &grid, x: width - mapColumns, y: top + 2,
                                                     columns: mapColumns - 1, rows: chartRows + 1, legend: true)
        }
        // Only images of the model's size: a watched run may have changed its model.
        let samples = self.samples.filter { $0.count == shape.pixelCount }
        let reconstructions = self.reconstructions.filter { $0.original.count == shape.pixelCount }
        guard sampleRows > 0, !samples.isEmpty else { return }
        let y = top + rows - sampleRows
        let renderer = ImageRenderer(mode: abilities.imageGlyphs, color: abilities.usesColor)
        // About a quarter of the tiles for original/reconstruction pairs, the rest for samples.
        let (tileColumns, stride) = (2 * tileRows, 2 * tileRows + 1)
        let tiles = (width - 1) / stride
        let pairs = min(reconstructions.count, (tiles - 1) / 4)
        let sampleCount = min(samples.count, tiles - 2 * pairs - (pairs > 0 ? 1 : 0))
        grid.put("samples from N(0, I)", x: 1, y: y, style: .dim, maxWidth: stride * sampleCount)
        for (i, image) in samples.prefix(sampleCount).enumerated() {
            renderer.draw(image, shape: shape, into: &grid, x: 1 + i * stride, y: y + 1, columns: tileColumns, rows: tileRows)
        }
        guard pairs > 0 else { return }
        let left = 1 + (sampleCount + 1) * stride
        grid.put("test image, reconstruction", x: left, y: y, style: .dim, maxWidth: width - left)
        for (i, pair) in reconstructions.prefix(pairs).enumerated() {
            renderer.draw(pair.original, shape: shape, into: &grid, x: left + 2 * i * stride, y: y + 1, columns: tileColumns, rows: tileRows)
            renderer.draw(pair.reconstruction, shape: shape, into: &grid,
                          x: left + (2 * i + 1) * stride, y: y + 1, columns: tileColumns, rows: tileRows)
        }
    }
}

/// What a refresh computes from a copy of the model: samples at fixed latent points, the first
/// test images' reconstructions, and the map of (up to `mapImages` of) the test set.
struct RefreshedViews {
    var samples: [[Float]]
    var reconstructions: [(original: [Float], reconstruction: [Float])]
    var map: ExploreState
    var afterEpoch: Bool

    init(model: VAE, test: Dataset, samplePoints: [[Float]], mapImages: Int, afterEpoch: Bool) {
        let shown = test.prefix(4)
        let rebuilt = model.reconstruct(shown.tensor)
        samples = samplePoints.map { model.decode(point: $0) }
        reconstructions = (0..<shown.count).map { (Array(shown.image($0)), rebuilt.row($0)) }
        map = ExploreState(model: model, data: test, limit: mapImages)
        self.afterEpoch = afterEpoch
    }

    /// Eight fixed draws from N(0, I) in `latent` dimensions: the samples shown refresh after
    /// refresh, so that a change is the model's.
    static func samplePoints(latent: Int) -> [[Float]] {
        var rng = RandomGenerator(seed: 7)
        return (0..<8).map { _ in (0..<latent).map { _ in rng.normal() } }
    }
}
