import Dispatch
import Foundation
import VAECore

/// The live training monitor: progress, a chart of the loss terms, and samples from the model
/// as it learns. Training runs on another thread; this screen reads its events every frame.
public final class TrainScreen: AppScreen {
    public let trainer: Trainer
    let queue = TrainingEventQueue()
    private let abilities: TerminalAbilities
    /// The checkpoint the trainer writes, for messages.
    private let checkpoint: String

    /// The chart, map, samples and reconstructions; the chart's points are steps.
    private var panels = MonitorPanels()
    private var smoother = (total: 0.0, reconstruction: 0.0, kl: 0.0, count: 0)
    public private(set) var records: [EpochRecord] = []
    public private(set) var last: StepReport?
    public private(set) var paused = false
    /// nil while training; true when it was cancelled.
    public private(set) var outcome: Bool?
    /// Why training stopped early, when the model diverged.
    public private(set) var divergence: TrainingDiverged?
    /// The error that stopped training, when one did (a checkpoint that could not be written).
    public private(set) var failure: String?
    public var logarithmic: Bool { panels.logarithmic }
    /// A notice ("saved FILE"), shown in place of the last epoch's line for `messageSeconds`.
    public private(set) var message = "" {
        didSet { messageShown = DispatchTime.now().uptimeNanoseconds }
    }
    private var messageShown: UInt64 = 0
    /// How long a notice stays before the last epoch's line comes back.
    var messageSeconds = 4.0
    private let refresh = BackgroundWork<RefreshedViews>()
    private let samplePoints: [[Float]]
    private var lastSamples: UInt64 = 0
    /// The views were refreshed from the final weights; nothing changes any more.
    private var refreshedAfterEnd = false
    /// Set from the Ctrl-C handler's thread.
    public let interruption: Interruption

    /// Called on the UI thread after every epoch with the test set encoded by a copy of the
    /// model (the live map's state), for the other views to follow the model.
    public var onEpoch: ((ExploreState) -> Void)?
    private var epochEnded = false

    /// A monitor for `trainer`, which writes `checkpoint`; call before the trainer starts, as it
    /// adds a listener.
    public init(trainer: Trainer, abilities: TerminalAbilities, checkpoint: String) {
        self.trainer = trainer
        self.abilities = abilities
        self.checkpoint = checkpoint
        interruption = Interruption(control: trainer.control)
        records = trainer.history
        samplePoints = RefreshedViews.samplePoints(latent: trainer.model.latentSize)
        trainer.addListener { [queue] in queue.receive($0) }
    }

    public var name: String { "train" }

    /// Test images the live map encodes at each refresh (on the UI thread, so kept small).
    public static let liveMapImages = 1000

    /// Smoothing weight of the newest step in the charted averages.
    static let smoothing = 0.05

    public func update() {
        for event in queue.drain() {
            switch event {
            case .step(let report):
                if let previous = last, previous.beta != report.beta {
                    panels.chart.betaChanges.append((panels.chart.total.count, report.beta))
                }
                last = report
                // Exponential moving averages, debiased as TensorBoard's smoother is.
                let a = TrainScreen.smoothing
                smoother.total = (1 - a) * smoother.total + a * report.loss.total
                smoother.reconstruction = (1 - a) * smoother.reconstruction + a * report.loss.reconstruction
                smoother.kl = (1 - a) * smoother.kl + a * report.loss.kl
                smoother.count += 1
                let debias = 1 - pow(1 - a, Double(smoother.count))
                panels.chart.total.append(smoother.total / debias)
                panels.chart.reconstruction.append(smoother.reconstruction / debias)
                panels.chart.kl.append(smoother.kl / debias)
            case .epoch(let record):
                records.append(record)
                panels.chart.epochMarks.append(panels.chart.total.count - 1)
                panels.chart.testPoints.append((panels.chart.total.count - 1, record.test.negativeELBO))
                lastSamples = 0
                epochEnded = true
            case .paused(let isPaused):
                paused = isPaused
            case .finished(let cancelled):
                outcome = cancelled
                lastSamples = 0
            case .diverged(let diverged):
                divergence = diverged
            case .failed(let message):
                failure = message
            case .saved(let failure):
                message = failure.map { "not saved: \($0)" } ?? "saved \(checkpoint)"
            }
        }
        // Take in a finished refresh, and start the next one when it is due. Refreshes run on a
        // worker so that keys are answered while the model is copied and the test set encoded.
        if let views = refresh.take() {
            panels.show(views)
            if views.afterEpoch { onEpoch?(views.map) }
        }
        let now = DispatchTime.now().uptimeNanoseconds
        // Every 1.5 s while training, and once more when it has ended.
        if now - lastSamples > 1_500_000_000, !refresh.running, outcome == nil || !refreshedAfterEnd {
            lastSamples = now
            refreshedAfterEnd = outcome != nil
            let afterEpoch = epochEnded
            epochEnded = false
            refresh.start { [trainer, samplePoints] in
                RefreshedViews(model: trainer.snapshot(), test: trainer.data.test, samplePoints: samplePoints,
                               mapImages: TrainScreen.liveMapImages, afterEpoch: afterEpoch)
            }
        }
    }

    /// Blocks until a refresh in progress has finished (for tests).
    func waitForRefresh() { refresh.wait() }

    /// After Ctrl-C once the trainer has saved, and at once when training diverged or failed:
    /// the command then says what happened.
    public var requestsQuit: Bool { (interruption.happened && outcome != nil) || divergence != nil || failure != nil }

    public var isFinishing: Bool { outcome == nil && divergence == nil && failure == nil }

    public var isBusy: Bool { outcome == nil || !refreshedAfterEnd || refresh.running || refresh.hasResult }

    public func willQuit() {
        trainer.control.cancel()
    }

    public func handle(_ key: Key) -> Bool {
        switch key {
        case .character(" "):
            trainer.control.togglePause()
        case .character("]"):
            let beta = trainer.control.beta
            trainer.control.beta = beta < 0.2 ? beta + 0.05 : beta * 1.25
        case .character("["):
            trainer.control.beta = max(0, trainer.control.beta * 0.8)
        case .character("L"), .character("g"):
            panels.logarithmic.toggle()
        case .character("s"):
            // The trainer saves between two steps, on its own thread, as at an epoch's end.
            trainer.control.requestSave()
            message = "saving \(checkpoint)..."
        default:
            return false
        }
        return true
    }

    public var statusKeys: [String] { ["space pause", "[ ] beta", "s save", "g log"] }

    public var helpKeys: [(keys: String, action: String)] {
        [("space", "pause or resume training"), ("[ ]", "lower or raise beta, the KL weight"),
         ("g", "log scale for the chart"), ("s", "save a checkpoint now"), ("q", "stop, save and quit")]
    }

    public func draw(into grid: inout Grid, top: Int, rows: Int) {
        let width = grid.width
        grid.put(progressLine(width: width), x: 1, y: top, maxWidth: width - 2)
        grid.put(summaryLine(width: width - 2), x: 1, y: top + 1, style: showsMessage ? [] : .dim, maxWidth: width - 2)
        panels.draw(into: &grid, top: top, rows: rows, abilities: abilities,
                    isVAE: trainer.model.configuration.kind == .vae, shape: trainer.model.configuration.architecture.image)
    }

    private func progressLine(width: Int) -> String {
        guard let last else { return paused ? "paused" : "starting..." }
        let settings = trainer.settings
        let fraction = Double(last.batch) / Double(last.batchesPerEpoch)
        let barWidth = max(10, min(30, width / 5))
        let filled = Int(fraction * Double(barWidth))
        // ASCII: the box-drawing bars are double width on terminals set for East Asian text.
        let bar = String(repeating: "=", count: filled) + String(repeating: "-", count: barWidth - filled)
        let state = outcome.map { $0 ? "stopped" : "finished" } ?? (trainer.control.isCancelled ? stopping(last)
            : paused ? "paused" : "running")
        // Fields in the order shown, with the priority to keep them (higher stays longer).
        return PriorityLine([
            .init("epoch \(last.epoch)/\(settings.epochs) \(bar) \(Int(fraction * 100))%", priority: 5),
            .init("step \(last.step)", priority: 2),
            .init("\(Int(last.imagesPerSecond)) img/s", priority: 1),
            .init("ETA \(TrainScreen.duration(last.secondsRemaining))", priority: 3),
            .init(String(format: "beta %.2f", Double(trainer.control.beta)), priority: 4),
            .init(state, priority: 6),
        ]).text(width: width - 2)
    }

    private var showsMessage: Bool {
        !message.isEmpty && Double(DispatchTime.now().uptimeNanoseconds - messageShown) / 1e9 < messageSeconds
    }

    /// The notice, or the last epoch's figures: whole fields, the test score kept longest.
    private func summaryLine(width: Int) -> String {
        if showsMessage { return message }
        guard let record = records.last else { return "the first epoch's test score comes at its end" }
        return MonitorPanels.summary(of: record, width: width)
    }

    /// What a stop waits for: the step in progress, or the test pass after an epoch's last step.
    private func stopping(_ last: StepReport) -> String {
        last.batch == last.batchesPerEpoch && records.last?.epoch != last.epoch ? "stopping after the test pass" : "stopping"
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e9 else { return "-" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Ctrl-C for a training screen, safe to trigger from any thread: training stops (and saves),
/// then the app ends.
public final class Interruption: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private let control: TrainingControl

    init(control: TrainingControl) {
        self.control = control
    }

    /// Whether it was triggered.
    public var happened: Bool { lock.withLock { flag } }

    /// Stops training after the current step.
    public func trigger() {
        lock.withLock { flag = true }
        control.cancel()
    }
}
