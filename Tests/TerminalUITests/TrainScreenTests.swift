import XCTest
import VAECore
@testable import TerminalUI

final class TrainScreenTests: XCTestCase {
    func makeTrainer(epochs: Int = 2) -> Trainer {
        let model = VAE(configuration: ModelConfiguration(architecture: Architecture(body: .mlp(hidden: [32]), latent: 2)), seed: 1)
        return Trainer(model: model, data: SyntheticDigits.split(trainCount: 256, seed: 1),
                       settings: TrainingSettings(epochs: epochs, batchSize: 64))
    }

    func testMonitor_ShowsProgressChartAndSamplesAfterTraining() throws {
        let trainer = makeTrainer()
        let screen = TrainScreen(trainer: trainer, abilities: .init(unicode: true, colors: 256, noColor: false),
                                 checkpoint: "model.safetensors")
        var followed: [ExploreState] = []
        screen.onEpoch = { followed.append($0) }
        let terminal = MemoryTerminal(columns: 100, rows: 30)
        let app = ExplorerApp(terminal: terminal, screens: [screen], title: "test")
        screen.update()
        screen.waitForRefresh()
        XCTAssertTrue(followed.isEmpty, "no epoch has ended yet")
        XCTAssertTrue(app.frame().lines[1].contains("starting"))
        try trainer.run()
        // Events arrive; the epoch ends make a refresh due, which runs in the background.
        screen.update()
        screen.waitForRefresh()
        screen.update()
        let lines = app.frame().lines
        XCTAssertTrue(lines[0].contains("latent - train - test"), lines[0])
        XCTAssertTrue(lines[1].contains("epoch 2/2") && lines[1].contains("100%") && lines[1].contains("finished"), lines[1])
        XCTAssertTrue(lines[2].contains("epoch 2: train"), lines[2])
        XCTAssertTrue(lines.contains { $0.contains("total ") && $0.contains("recon ") && $0.contains("o test ") })
        XCTAssertTrue(lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("KL ") }, "the KL's own panel")
        XCTAssertTrue(lines.contains { $0.contains("⠅") || $0.contains("⠨") }, "epoch marks:\n" + lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.contains("samples from N(0, I)") })
        XCTAssertTrue(lines[29].contains("space pause"))
        XCTAssertEqual(screen.records.count, 2)
        XCTAssertEqual(followed.count, 1, "the other views get the freshly encoded test set")
        XCTAssertEqual(followed.first?.data.count, trainer.data.test.count)
        XCTAssertEqual(screen.last?.step, 8)
    }

    func testKeys_PauseChangeBetaToggleLogScaleAndSave() throws {
        let trainer = makeTrainer()
        let screen = TrainScreen(trainer: trainer, abilities: .init(unicode: false, colors: 0, noColor: true),
                                 checkpoint: "m.safetensors")
        XCTAssertTrue(screen.handle(.character(" ")))
        XCTAssertTrue(trainer.control.isPaused)
        XCTAssertTrue(screen.handle(.character(" ")))
        XCTAssertFalse(trainer.control.isPaused)
        XCTAssertTrue(screen.handle(.character("]")))
        XCTAssertEqual(trainer.control.beta, 1.25)
        XCTAssertTrue(screen.handle(.character("[")))
        XCTAssertEqual(trainer.control.beta, 1, accuracy: 1e-6)
        XCTAssertTrue(screen.handle(.character("g")))
        XCTAssertTrue(screen.logarithmic)
        // s asks the trainer, which saves between steps on its own thread.
        XCTAssertTrue(screen.handle(.character("s")))
        XCTAssertEqual(screen.message, "saving m.safetensors...")
        var saves: [Int] = []
        try trainer.run { saves.append($0.step) }
        XCTAssertEqual(saves, [0, 4, 8], "the requested save before the first step, then each epoch's")
        screen.update()
        XCTAssertEqual(screen.message, "saved m.safetensors")
        XCTAssertFalse(screen.handle(.character("z")))
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30), screens: [screen], title: "test")
        XCTAssertEqual(app.helpLines(columns: 100).filter { $0.hasPrefix("  q ") }, ["  q            stop, save and quit"], "q is listed once")
        screen.willQuit()
        XCTAssertTrue(trainer.control.isCancelled)
    }

    func testNotice_GivesWayToTheEpochLineAfterAFewSeconds() {
        let screen = TrainScreen(trainer: makeTrainer(), abilities: .init(unicode: true, colors: 256, noColor: false),
                                 checkpoint: "m.safetensors")
        screen.messageSeconds = 1
        screen.queue.receive(.epoch(EpochRecord(epoch: 1, step: 4, train: LossTerms(reconstruction: 200, kl: 5, total: 205),
                                                test: EvaluationResult(count: 42, reconstruction: 190, kl: 5),
                                                beta: 1, trainSeconds: 1, imagesPerSecond: 100)))
        screen.queue.receive(.saved(failure: nil))
        screen.update()
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30), screens: [screen], title: "t")
        XCTAssertTrue(app.frame().lines[2].contains("saved m.safetensors"))
        Thread.sleep(forTimeInterval: 1.2)
        XCTAssertTrue(app.frame().lines[2].contains("epoch 1: train 205.00"), app.frame().lines[2])
    }

    func testQuit_WaitsForTheTestPassAndSaysSo() throws {
        let trainer = makeTrainer()
        let screen = TrainScreen(trainer: trainer, abilities: .init(unicode: true, colors: 256, noColor: false), checkpoint: "")
        // The epoch's last step is done: its test set is being scored.
        screen.queue.receive(.step(StepReport(step: 4, epoch: 1, batch: 4, batchesPerEpoch: 4,
                                              loss: LossTerms(reconstruction: 200, kl: 5, total: 205), beta: 1,
                                              imagesPerSecond: 100, secondsRemaining: 1)))
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30, keys: [.character("q")]),
                              screens: [screen], title: "t")
        app.run(maximumFrames: 5)
        XCTAssertTrue(app.quitting)
        XCTAssertFalse(app.finished, "the app waits while the trainer scores and saves")
        XCTAssertTrue(trainer.control.isCancelled)
        XCTAssertTrue(app.frame().lines[1].contains("stopping after the test pass"), app.frame().lines[1])
        // The trainer ends: the app does too.
        XCTAssertTrue(try trainer.run())
        app.run(maximumFrames: 5)
        XCTAssertTrue(app.finished)
    }

    func testInterruption_EndsTheAppOnceTrainingHasStopped() throws {
        let trainer = makeTrainer(epochs: 1000)
        let screen = TrainScreen(trainer: trainer, abilities: .init(unicode: true, colors: 256, noColor: false), checkpoint: "")
        screen.interruption.trigger()
        XCTAssertFalse(screen.requestsQuit, "not before training has stopped")
        XCTAssertTrue(try trainer.run())
        screen.update()
        XCTAssertTrue(screen.requestsQuit)
        let app = ExplorerApp(terminal: MemoryTerminal(columns: 100, rows: 30), screens: [screen], title: "t")
        app.run(maximumFrames: 5)
        XCTAssertTrue(app.finished)
    }
}

extension TrainScreenTests {
    /// A screen fed a fixed run (training itself is not run, so the figures are the same every
    /// time): 3 epochs of 100 steps whose loss falls fast and then levels off near 262 nats while
    /// the KL rises to about 5.5, a test score at each epoch's end, and beta raised to 2 at step 250.
    func screenAfterFixedRun(abilities: TerminalAbilities = .init(unicode: true, colors: 256, noColor: false)) -> TrainScreen {
        let screen = TrainScreen(trainer: makeTrainer(epochs: 3), abilities: abilities, checkpoint: "")
        func terms(_ step: Int, beta: Double) -> LossTerms {
            let reconstruction = 255 + 280 * exp(-Double(step) / 8) + 2 * sin(Double(step))
            let kl = 5.5 - 3.5 * exp(-Double(step) / 25)
            return LossTerms(reconstruction: reconstruction, kl: kl, total: reconstruction + beta * kl)
        }
        for step in 1...300 {
            let beta: Float = step > 250 ? 2 : 1
            screen.queue.receive(.step(StepReport(step: step, epoch: (step - 1) / 100 + 1, batch: (step - 1) % 100 + 1,
                                                  batchesPerEpoch: 100, loss: terms(step, beta: Double(beta)), beta: beta,
                                                  imagesPerSecond: 4000, secondsRemaining: Double(300 - step) / 100)))
            if step % 100 == 0 {
                let test = terms(step, beta: 1)
                screen.queue.receive(.epoch(EpochRecord(epoch: step / 100, step: step, train: terms(step, beta: Double(beta)),
                                                        test: EvaluationResult(count: 64, reconstruction: test.reconstruction + 4, kl: test.kl + 0.2),
                                                        beta: beta, trainSeconds: 1, imagesPerSecond: 4000)))
            }
        }
        screen.update()
        screen.waitForRefresh()
        screen.update()
        return screen
    }

    func frame(_ screen: TrainScreen, columns: Int, rows: Int) -> Grid {
        ExplorerApp(terminal: MemoryTerminal(columns: columns, rows: rows), screens: [screen], title: "golden").frame()
    }

    func testGoldenRender_FromFixedEvents_100x30() {
        let frame = frame(screenAfterFixedRun(), columns: 100, rows: 30)
        XCTAssertTrue(frame.lines[1].contains("epoch 3/3") && frame.lines[1].contains("step 300"), frame.lines[1])
        XCTAssertTrue(frame.lines.contains { $0.contains("beta 2") }, "the beta change is marked")
        assertSnapshot(frame, named: "train-100x30")
    }

    func testChart_ReadsWithoutColourOrUnicodeAndInLogScale() {
        let screen = screenAfterFixedRun(abilities: .init(unicode: false, colors: 0, noColor: true))
        var chart = frame(screen, columns: 80, rows: 24)
        let rows = 4..<23
        XCTAssertTrue(rows.allSatisfy { chart.lines[$0].unicodeScalars.allSatisfy(\.isASCII) }, chart.lines.joined(separator: "\n"))
        let legend = chart.lines[4]
        XCTAssertTrue(legend.contains("total ") && legend.contains("recon ") && legend.contains("o test "), legend)
        let totalAt = legend.distance(from: legend.startIndex, to: legend.range(of: "total")!.lowerBound)
        let reconAt = legend.distance(from: legend.startIndex, to: legend.range(of: "recon")!.lowerBound)
        XCTAssertEqual(chart[totalAt, 4].style, .bold, "the total is bold where colours are not shown")
        XCTAssertEqual(chart[reconAt, 4].style, [])
        XCTAssertTrue(rows.contains { chart.lines[$0].contains("*") && chart.lines[$0].contains("o") })
        XCTAssertTrue(rows.contains { chart.lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix("KL ") })
        XCTAssertTrue(screen.handle(.character("g")))
        chart = frame(screen, columns: 80, rows: 24)
        XCTAssertTrue(chart.lines[4].contains("log scale"), chart.lines[4])
        XCTAssertTrue(rows.contains { chart.lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix("KL ") }, "both panels in log scale")
    }

    func testChart_OfAPlainAutoencoderHasNoKLPanel() {
        let model = VAE(configuration: ModelConfiguration(architecture: Architecture(body: .mlp(hidden: [32]), latent: 2), kind: .ae), seed: 1)
        let trainer = Trainer(model: model, data: SyntheticDigits.split(trainCount: 256, seed: 1), settings: TrainingSettings(epochs: 1, batchSize: 64))
        let screen = TrainScreen(trainer: trainer, abilities: .init(unicode: true, colors: 256, noColor: false), checkpoint: "")
        for step in 1...4 {
            let loss = LossTerms(reconstruction: 300 - Double(step), kl: 0, total: 300 - Double(step))
            screen.queue.receive(.step(StepReport(step: step, epoch: 1, batch: step, batchesPerEpoch: 4, loss: loss, beta: 1,
                                                  imagesPerSecond: 100, secondsRemaining: 1)))
        }
        screen.update()
        let lines = frame(screen, columns: 80, rows: 24).lines
        XCTAssertTrue(lines[4].contains("recon 29") && !lines[4].contains("total"), lines[4])
        XCTAssertFalse(lines.contains { $0.contains("KL ") && !$0.contains("epoch") }, "its KL is 0 by definition")
    }

    func testGoldenRender_FromFixedEvents_60x20() {
        assertSnapshot(frame(screenAfterFixedRun(), columns: 60, rows: 20), named: "train-60x20")
    }

    func testGoldenRender_FromFixedEvents_80x24() {
        assertSnapshot(frame(screenAfterFixedRun(), columns: 80, rows: 24), named: "train-80x24")
    }

    func testGoldenRender_FromFixedEvents_200x60() {
        assertSnapshot(frame(screenAfterFixedRun(), columns: 200, rows: 60), named: "train-200x60")
    }

    func testEverySize_HasWholeFieldsAndOnlySingleWidthCharacters() {
        let abilities = TerminalAbilities(unicode: true, colors: 256, noColor: false, chosenImageGlyphs: .braille)
        for (columns, rows) in [(60, 20), (80, 24), (100, 30), (200, 60)] {
            let frame = frame(screenAfterFixedRun(abilities: abilities), columns: columns, rows: rows)
            let wide = frame.cells.map(\.glyph).filter(ExplorerLayoutTests.isAmbiguousWidth)
            XCTAssertTrue(wide.isEmpty, "\(columns)x\(rows): \(Set(wide.map { String($0) }))")
            // The summary keeps whole figures: the test score with its two decimals.
            XCTAssertTrue(frame.lines[2].contains("test 262.70"), "\(columns)x\(rows): \(frame.lines[2])")
            XCTAssertTrue(frame.lines[rows - 1].contains("q quit"))
        }
    }
}
