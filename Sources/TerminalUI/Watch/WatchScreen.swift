import Dispatch
import Foundation
import VAECore

/// `latent watch`: the training monitor for a run another process writes. Every second a
/// worker looks at the checkpoint and its run log (`RunFollower`); the chart follows the log
/// (or, without one, the checkpoint's epochs), and each new model is copied and redrawn as
/// samples, reconstructions and the latent map of the test set, which the explore and
/// interpolate views then follow.
public final class WatchScreen: AppScreen {
    private let follower: RunFollower
    private let abilities: TerminalAbilities
    /// The test set the models are shown on; nil when there is none.
    private let test: Dataset?
    /// A run whose files have not changed for this long is said to have stopped updating.
    let staleSeconds: Double

    private var state = RunFollower.State()
    private var panels = MonitorPanels()
    /// The follower's state after a poll that found a change; nil after one that did not.
    private let polling = BackgroundWork<RunFollower.State?>()
    private let refresh = BackgroundWork<(views: RefreshedViews?, samples: [[Float]])>()
    private var lastPoll: UInt64 = 0
    private var shownGeneration = 0
    private var samplePoints: [[Float]] = []
    /// Something new to draw; and the second the staleness clock last showed.
    private var dirty = true
    private var shownSecond = -1

    /// Called on the UI thread with the test set encoded by each new model.
    public var onModel: ((ExploreState) -> Void)?

    public init(follower: RunFollower, abilities: TerminalAbilities, staleSeconds: Double = 60, test: Dataset?) {
        self.follower = follower
        self.abilities = abilities
        self.staleSeconds = staleSeconds
        self.test = test
        // What the follower has read already; polls then bring only changes.
        state = follower.state
        rebuildChart()
        // A model read already is drawn now, before the screen opens, so that the explore
        // views start on its map.
        if let model = state.model, let test, test.shape == model.configuration.architecture.image {
            samplePoints = RefreshedViews.samplePoints(latent: model.latentSize)
            panels.show(RefreshedViews(model: model.copy(), test: test, samplePoints: samplePoints,
                                       mapImages: TrainScreen.liveMapImages, afterEpoch: true))
            shownGeneration = state.generation
        }
    }

    /// The map of the test set by the newest model drawn, for the explore views to start on.
    public var map: ExploreState? { panels.map }

    public var name: String { "watch" }

    /// The newest good model, once one has been read.
    public var model: VAE? { state.model }

    public func update() {
        if let polled = polling.take(), let polled {
            state = polled
            rebuildChart()
            dirty = true
        }
        if let refreshed = refresh.take() {
            if let views = refreshed.views {
                panels.show(views)
                onModel?(views.map)
            } else {
                // No test set this model can take: its samples alone.
                (panels.samples, panels.reconstructions, panels.map) = (refreshed.samples, [], nil)
            }
            dirty = true
        }
        let now = DispatchTime.now().uptimeNanoseconds
        if now - lastPoll > 1_000_000_000, !polling.running, !polling.hasResult {
            lastPoll = now
            polling.start { [follower] in follower.poll() ? follower.state : nil }
        }
        // A new model: copy it and draw it.
        if state.generation != shownGeneration, let model = state.model, !refresh.running {
            shownGeneration = state.generation
            if samplePoints.first?.count != model.latentSize { samplePoints = RefreshedViews.samplePoints(latent: model.latentSize) }
            // The copy is this worker's alone.
            let copy = Handed(value: model.copy())
            refresh.start { [test, samplePoints] in
                // A model of another image size (the run was restarted with another
                // architecture) is not drawn on this test set.
                let fits = test?.shape == copy.value.configuration.architecture.image
                let views = test.flatMap { fits ? $0 : nil }.map {
                    RefreshedViews(model: copy.value, test: $0, samplePoints: samplePoints, mapImages: TrainScreen.liveMapImages,
                                   afterEpoch: true)
                }
                return (views, views?.samples ?? samplePoints.map { copy.value.decode(point: $0) })
            }
        }
        let second = Int(Date().timeIntervalSince1970)
        if second != shownSecond { dirty = true }
    }

    public var isBusy: Bool { dirty }

    /// Blocks until the poll and the redraw under way have finished (for tests).
    func waitForWork() {
        polling.wait()
        refresh.wait()
    }

    /// Makes the next `update` look at the files at once (for tests).
    func pollSoon() { lastPoll = 0 }

    /// The chart from the run log's lines, or from the checkpoint's epochs without a log.
    private func rebuildChart() {
        var charted = MonitorPanels.Chart()
        var beta: Double?
        for entry in state.entries {
            switch entry {
            case .step(let line):
                if let previous = beta, previous != line.beta, line.beta.isFinite {
                    charted.betaChanges.append((charted.total.count, Float(line.beta)))
                }
                beta = line.beta
                charted.total.append(line.total)
                charted.reconstruction.append(line.reconstruction)
                charted.kl.append(line.kl)
            case .epoch(let line):
                guard !charted.total.isEmpty else { continue }
                charted.epochMarks.append(charted.total.count - 1)
                charted.testPoints.append((charted.total.count - 1, line.testLoss))
            }
        }
        if charted.total.isEmpty, let history = state.checkpoint?.history {
            for record in history {
                charted.total.append(record.train.total)
                charted.reconstruction.append(record.train.reconstruction)
                charted.kl.append(record.train.kl)
                charted.epochMarks.append(charted.total.count - 1)
                charted.testPoints.append((charted.total.count - 1, record.test.negativeELBO))
            }
        }
        panels.chart = charted
    }

    public func handle(_ key: Key) -> Bool {
        switch key {
        case .character("L"), .character("g"):
            panels.logarithmic.toggle()
            return true
        default:
            return false
        }
    }

    public var statusKeys: [String] { ["g log"] }

    public var helpKeys: [(keys: String, action: String)] {
        [("g", "log scale for the chart"), ("Tab", "explore and interpolate the newest model"), ("q", "quit (the run goes on)")]
    }

    public func draw(into grid: inout Grid, top: Int, rows: Int) {
        dirty = false
        shownSecond = Int(Date().timeIntervalSince1970)
        let width = grid.width
        grid.put(progressLine(width: width - 2), x: 1, y: top, maxWidth: width - 2)
        let notice = state.problem ?? summaryLine(width: width - 2)
        grid.put(notice, x: 1, y: top + 1, style: state.problem == nil ? .dim : .bold, maxWidth: width - 2)
        guard let model = state.model else { return }
        panels.draw(into: &grid, top: top, rows: rows, abilities: abilities, isVAE: model.configuration.kind == .vae,
                    shape: model.configuration.architecture.image)
        // Once the first model is drawn (samples show), say what is missing.
        if !panels.samples.isEmpty && rows > 6 {
            let note = test == nil ? "no test set to show reconstructions and the map on (name one with --data)"
                : test?.shape != model.configuration.architecture.image ? "the newest model takes \(model.configuration.architecture.image) images, the test set is \(test!.shape): samples only"
                : nil
            if let note { grid.put(note, x: 1, y: top + rows - 1, style: .dim, maxWidth: width - 2) }
        }
    }

    /// Where the run is: its epoch and step, speed, and whether it still moves.
    private func progressLine(width: Int) -> String {
        guard let checkpoint = state.checkpoint else { return state.problem == nil ? "reading \(follower.path)..." : "waiting" }
        let history = checkpoint.history
        let planned = checkpoint.training?.epochs
        let lastStep = state.lastStep
        let done = history.count
        let epoch = lastStep.map { max($0.epoch, done) } ?? done
        let running = planned.map { done < $0 } ?? true
        var fields: [PriorityLine.Field] = [
            .init("epoch \(running && lastStep != nil ? epoch : done)\(planned.map { "/\($0)" } ?? "")", priority: 5),
        ]
        if let lastStep {
            fields.append(.init("step \(lastStep.step)", priority: 2))
            // A log is another program's file: numbers out of any sensible range are left out.
            if (0..<1e12).contains(lastStep.imagesPerSecond) {
                fields.append(.init(String(format: "%.0f img/s", lastStep.imagesPerSecond), priority: 1))
            }
            if (0..<1e6).contains(lastStep.beta) { fields.append(.init(String(format: "beta %.2f", lastStep.beta), priority: 3)) }
        }
        fields.append(.init(stateText(finished: !running), priority: 6))
        return PriorityLine(fields).text(width: width)
    }

    /// "finished", "following", or how long nothing has changed.
    private func stateText(finished: Bool) -> String {
        if finished { return "finished" }
        guard let changed = state.lastChange else { return "following" }
        let quiet = Date().timeIntervalSince(changed)
        return quiet > staleSeconds ? "no update for \(TrainScreen.duration(quiet))" : "following"
    }

    private func summaryLine(width: Int) -> String {
        guard let record = state.checkpoint?.history.last else { return "the first epoch's test score comes at its end" }
        return MonitorPanels.summary(of: record, width: width)
    }
}

/// A value handed to one worker thread and used there alone.
private struct Handed<Value>: @unchecked Sendable {
    let value: Value
}
