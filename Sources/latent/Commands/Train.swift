import ArgumentParser
import Dispatch
import Foundation
import TerminalUI
import VAECore

/// `latent train`: trains a model and writes a checkpoint after every epoch.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a VAE (or a plain autoencoder) and save it as a .safetensors checkpoint.",
        discussion: """
            Prints one line per epoch (--json: one JSON object per line). The checkpoint is \
            written atomically after every epoch, and Ctrl-C saves before it exits; beside it, \
            run.jsonl for run.safetensors logs the losses every 10 steps (see latent watch). --resume \
            continues a checkpoint's training up to --epochs in all, with its data and \
            settings unless flags change them (Adam's moments start afresh).

            Example:
              latent train --arch conv2 --epochs 10 --out conv2.safetensors
              latent train --data synthetic --epochs 5 --beta 4 --out beta4.safetensors
              latent train --data ~/photos --arch rgb64 --epochs 20 --out p.safetensors
              latent train --resume conv2.safetensors --epochs 20
            """)

    @Option(help: "Training data: fashion-mnist, synthetic[:COUNT[:SEED]], sprites[:COUNT[:SEED]], or a directory of IDX files or of PNG/JPEG/PGM/PPM images (default: fashion-mnist; with --resume, the checkpoint's data).")
    var data: String?

    @Option(help: "Architecture: mlp20, mlp2, conv2, rgb32, rgb64, mlp(hidden:[...],latent:N) or conv(filters:[...],dense:N,latent:N[,image:CxHxW]), the general forms taking the data's size unless image: says (default: conv2 for 28x28 gray data, rgb32 or rgb64 for colour at 32 or 64, their layers at other sizes).")
    var arch: String?

    @OptionGroup var reading: ImageReadingOptions

    @Option(help: "Passes over the training set (with --resume: in all, counting the checkpoint's).")
    var epochs: Int

    // .unconditional, so that `--beta -1` reaches validation instead of reading as a flag.
    @Option(parsing: .unconditional, help: "Weight of the KL term (1 = the ELBO; larger values push towards the prior) (default: 1; with --resume, the checkpoint's).")
    var beta: Float?

    @Option(help: "Reconstruction term: bce (Bernoulli) or mse (Gaussian) (default: bce).")
    var recon: Reconstruction?

    @Option(help: "Model kind: vae, or ae for a plain autoencoder with no sampling and no KL (default: vae).")
    var kind: ModelKind?

    @Option(help: "Checkpoint to write (.safetensors); its folder must exist. With --resume, defaults to that file.")
    var out: String?

    @Option(help: "Checkpoint to continue training.")
    var resume: String?

    @Flag(help: "Replace an existing --out file with a new model.")
    var force = false

    @Option(help: "Images per step (default: 128; with --resume, the checkpoint's).")
    var batch: Int?

    @Option(parsing: .unconditional, help: "Adam's learning rate (default: 0.001; with --resume, the checkpoint's).")
    var lr: Float?

    @Option(help: "Seed for the initial weights, shuffling and sampling (default: 1; with --resume, the checkpoint's).")
    var seed: UInt64?

    @Option(help: "Also score the importance-weighted bound with this many samples after each epoch (default: 0; with --resume, the checkpoint's).")
    var samples: Int?

    @Option(help: "Train on the first N training images only.")
    var limit: Int?

    @Flag(help: "Do not write the run log, the JSON lines beside the checkpoint (run.jsonl for run.safetensors) that latent watch follows.")
    var noLog = false

    @Flag(help: "Print one JSON object per epoch (never opens the live monitor).")
    var json = false

    /// How the live monitor draws.
    @OptionGroup var display: TerminalOptions

    @OptionGroup var compute: ComputeOptions

    func run() throws {
        // The flags alone first, so that a bad one is named before any file is read.
        if let problem = trainingSettings(resumed: nil).settings.problem { throw UsageError(problem) }
        if let limit, limit < 1 { throw UsageError("--limit must be at least 1, got \(limit)") }
        guard let out = out ?? resume else { throw UsageError("--out is required: the checkpoint to write") }
        try OutputPath.checkCheckpoint(out)
        if !force, out != resume, FileManager.default.fileExists(atPath: out) {
            throw UsageError("\(out): already exists; continue it with --resume, replace it with --force, or choose another --out")
        }
        // A new run's log replaces the one beside --out, under the same rule as the checkpoint.
        let log = RunLog.path(for: out)
        if !force, out != resume, !noLog, FileManager.default.fileExists(atPath: log) {
            throw UsageError("\(log): already exists (another run's log?); replace it with --force, or train with --no-log")
        }
        try reading.check(data: data)
        let resumed = try resumedModel()
        let choice = DataChoice(flag: data, checkpoint: resumed?.checkpoint.data)
        let data = choice.spec
        let (settings, changes) = trainingSettings(resumed: resumed?.checkpoint.training)
        if let problem = settings.problem { throw UsageError(problem) }
        if let resumed, resumed.checkpoint.history.count >= epochs {
            throw UsageError("\(resume ?? out): already trained for \(Console.count(resumed.checkpoint.history.count, "epoch")); ask for more with --epochs")
        }
        if settings.importanceSamples > 0 && (resumed?.model.configuration.kind ?? kind ?? .vae) == .ae {
            throw UsageError("--samples needs --kind vae: a plain autoencoder has no posterior to sample")
        }
        // The images' size and channels: what the flags say, else what the architecture
        // fixes, else the data's own.
        let named = try arch.map { try Architecture(parsing: $0) }
        let fixed = resumed?.model.configuration.architecture.image ?? (arch.map(Architecture.fixesImage) == true ? named?.image : nil)
        let fit = reading.fit ?? resumed?.checkpoint.fit ?? .crop
        let options = reading.options(size: reading.size ?? fixed.flatMap { $0.height == $0.width ? $0.height : nil }, fit: fit)
        try compute.apply()
        let split = try Console.loading(data) { try choice.load(options: options, limit: limit) }
        let model = try resumed?.model ?? newModel(named: named, fixed: fixed, for: split)
        let history = resumed?.checkpoint.history ?? []
        // The widest layer's output for a whole batch must fit in memory, whatever the model.
        let widest = LayerPlan(model.configuration).largestOutput
        if settings.batchSize > Self.maximumBatchValues / max(1, widest.values) {
            throw UsageError("--batch \(settings.batchSize): layer \(widest.layer) of \(model.configuration.architecture.name) outputs \(widest.values) values per image, and a batch may hold at most \(Self.maximumBatchValues) (2^28) in one layer; use at most --batch \(Self.maximumBatchValues / max(1, widest.values))")
        }
        try checkData(split, from: data, for: model.configuration.architecture)
        // A full disk, a read-only folder or a file-size limit shows now, not after an epoch.
        try AtomicFile.checkRoom(for: out, byteCount: Self.checkpointSize(model, epochs: epochs))

        if let resume, !changes.isEmpty {
            // On stderr, so that --json's stdout stays one object per line.
            FileHandle.standardError.write(Data("resuming \(resume) after epoch \(history.count) with \(changes.joined(separator: ", "))\n".utf8))
        }
        let trainer = Trainer(model: model, data: split, settings: settings, history: history)
        if !noLog {
            // A resumed file's log goes on; a new file's starts empty.
            RunLog.Writer(path: log, batchSize: settings.batchSize, trainCount: split.train.count,
                          fresh: out != resume).follow(trainer)
        } else if force, out != resume {
            // An old run's log beside a replaced checkpoint would be charted against the new model.
            try? FileManager.default.removeItem(atPath: log)
        }
        let checkpoint = Checkpoint(configuration: model.configuration, training: settings, data: data, fit: fit)
        let saved = SavedEpochs()
        let control = trainer.control
        let saveCheckpoint: @Sendable (VAE, [EpochRecord]) throws -> Void = { model, history in
            var described = checkpoint
            // A beta changed live is the one a resumed run goes on with.
            described.training?.beta = control.beta
            described.history = history
            try described.save(model, to: out)
            saved.record(history.last?.epoch ?? 0)
        }
        do {
            if !json && isatty(STDOUT_FILENO) == 1 && isatty(STDIN_FILENO) == 1 {
                try trainWithMonitor(trainer, save: saveCheckpoint, out: out, title: "\(model.configuration.architecture.name) on \(data)")
            } else {
                try trainPiped(trainer, save: saveCheckpoint, out: out)
            }
        } catch let diverged as TrainingDiverged {
            let kept: String
            if let epoch = saved.last {
                kept = epoch > 0 ? "\(out) keeps epoch \(epoch)" : "\(out) keeps the start of this run"
            } else if out == resume, let last = history.last {
                kept = "\(out) keeps epoch \(last.epoch)"
            } else if FileManager.default.fileExists(atPath: out) {
                kept = "\(out) is left as it was"
            } else {
                kept = "nothing was saved"
                // Nor is the log of a run that left no checkpoint kept: it would stand in the
                // way of the next try.
                if !noLog { try? FileManager.default.removeItem(atPath: log) }
            }
            // A large KL weight alone can push the loss past the limit.
            let advice = max(settings.beta, trainer.control.beta) > 1 ? "try a lower --lr or --beta" : "try a lower --lr"
            throw CommandFailure("\(diverged); \(kept); \(advice)")
        }
    }

    /// The most values one layer may output for a whole batch: 1 GiB of floats.
    static let maximumBatchValues = 1 << 28

    /// Bytes a checkpoint of `model` takes at most: its weights, and metadata with a history
    /// of `epochs` records (about 300 bytes each).
    private static func checkpointSize(_ model: VAE, epochs: Int) -> Int {
        4 * model.parameters.reduce(0) { $0 + $1.value.count } + 16 * 1024 + 512 * min(epochs, 100_000)
    }

    /// Trains with one line (or JSON object) per epoch on stdout; a signal stops and saves.
    private func trainPiped(_ trainer: Trainer, save: @escaping @Sendable (VAE, [EpochRecord]) throws -> Void,
                            out: String) throws {
        let interrupt = InterruptHandler { _ in trainer.control.cancel() }
        defer { interrupt.restore() }
        let report = EpochReporter(json: json, epochs: epochs, path: out)
        var reported = trainer.history.count
        var readerGone = false
        let cancelled = try trainer.run { trainer in
            try save(trainer.model, trainer.history)
            // Each epoch's line once, also when a signal came while its test set was scored.
            if let record = trainer.history.last, record.epoch > reported {
                reported = record.epoch
                // Nobody reads the lines any more (`latent train | head -3`): stop, saved.
                if !report.epoch(record) && errno == EPIPE {
                    readerGone = true
                    trainer.control.cancel()
                }
            }
        }
        if cancelled {
            // As a program killed by SIGPIPE would end, but with the model saved.
            if readerGone && interrupt.received == nil { throw ExitCode(128 + SIGPIPE) }
            report.stopped(interrupt.stoppedBy, step: trainer.step, epochsDone: trainer.history.count)
            throw ExitCode(interrupt.exitStatus ?? 130)
        }
    }

    /// Trains on a background thread under the live monitor; q or Ctrl-C stop and save. A
    /// hangup (the terminal closed) saves the same way without drawing again.
    private func trainWithMonitor(_ trainer: Trainer, save: @escaping @Sendable (VAE, [EpochRecord]) throws -> Void,
                                  out: String, title: String) throws {
        let terminal = try display.open(for: " for the live monitor", advice: "use --json for plain output")
        let screen = TrainScreen(trainer: trainer, abilities: terminal.abilities, checkpoint: out)
        // The explore and interpolate views follow the model: after every epoch they take the
        // monitor's freshly encoded test set.
        let explore = ExploreScreen(state: ExploreState(model: trainer.model.copy(), data: trainer.data.test,
                                                        limit: TrainScreen.liveMapImages),
                                    abilities: terminal.abilities)
        let interpolate = InterpolateScreen(state: explore.state, abilities: terminal.abilities)
        screen.onEpoch = { state in
            explore.replace(state: state)
            interpolate.replace(state: state)
        }
        let interruption = screen.interruption
        let hangup = terminal.hangup
        let interrupt = InterruptHandler { signal in
            if signal == SIGHUP { hangup.set() }
            interruption.trigger()
        }
        defer { interrupt.restore() }
        let finished = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        let epochsBefore = trainer.history.count
        Thread.detachNewThread {
            do {
                outcome.cancelled = try trainer.run { trainer in try save(trainer.model, trainer.history) }
            } catch {
                outcome.error = error
            }
            finished.signal()
        }
        ExplorerApp(terminal: terminal, screens: [screen, explore, interpolate], title: title).run()
        finished.wait()
        terminal.restore()
        if let error = outcome.error { throw error }
        // The epochs of this run stay in the scrollback, as piped training prints them.
        let reporter = EpochReporter(json: false, epochs: epochs, path: out)
        for record in trainer.history.dropFirst(epochsBefore) { reporter.epoch(record) }
        if outcome.cancelled {
            let how = interrupt.received == nil ? "stopped" : interrupt.stoppedBy
            Console.line("\(how) at step \(trainer.step) (\(Console.count(trainer.history.count, "full epoch"))): saved \(out)")
        }
        if let status = interrupt.exitStatus { throw ExitCode(status) }
    }

    /// The checkpoint named by --resume, which the options may not contradict; nil without one.
    private func resumedModel() throws -> (model: VAE, checkpoint: Checkpoint)? {
        guard let resume else { return nil }
        let architecture = try arch.map { try Architecture(parsing: $0) }
        let (model, checkpoint) = try Checkpoint.load(path: resume)
        let found = checkpoint.configuration
        if let architecture, architecture != found.architecture {
            throw UsageError("\(resume): the checkpoint is \(found.architecture.name), not \(architecture.name); drop --arch or start a new file")
        }
        if let kind, kind != found.kind {
            throw UsageError("\(resume): the checkpoint is a \(found.kind.rawValue), not a \(kind.rawValue); drop --kind")
        }
        if let recon, recon != found.reconstruction {
            throw UsageError("\(resume): the checkpoint uses \(found.reconstruction.rawValue), not \(recon.rawValue); drop --recon")
        }
        return (model, checkpoint)
    }

    /// A new model for `split`: the named architecture, at the data's size unless it fixes
    /// its own, or the standard one for the data's size.
    private func newModel(named: Architecture?, fixed: ImageShape?, for split: DataSplit) throws -> VAE {
        var architecture = named ?? Architecture.standard(for: split.shape)
        if fixed == nil {
            architecture.image = split.shape
            if split.shape.height % architecture.sideMultiple != 0 || split.shape.width % architecture.sideMultiple != 0 {
                throw UsageError("data \(split.train.name) has \(split.shape) images, but \(named == nil ? "the standard architecture's layers take" : "\(arch ?? architecture.name) takes") sides \(architecture.sidesInWords); use --size with one of them")
            }
            if let problem = architecture.problem { throw UsageError("architecture \(architecture.name): \(problem)") }
        }
        let configuration = ModelConfiguration(architecture: architecture, kind: kind ?? .vae, reconstruction: recon ?? .bce)
        return VAE(configuration: configuration, seed: trainingSettings(resumed: nil).settings.seed)
    }

    /// Refuses data the model cannot take, saying which flag fixes it when one can: the
    /// images of a folder and sprites can be read in colour or gray and at other sizes.
    private func checkData(_ split: DataSplit, from spec: String, for architecture: Architecture) throws {
        let (want, have) = (architecture.image, split.shape)
        let adjustable: Bool
        switch try? DataSpec(parsing: spec) {
        case .imageDirectory?, .sprites?: adjustable = true
        default: adjustable = false
        }
        if adjustable, want.channels != have.channels, [1, 3].contains(want.channels) {
            let (model, data) = (want.channels == 1 ? "a gray model" : "a colour model", have.channels == 1 ? "gray" : "colour")
            let other = want.channels == 1 ? "a colour one such as --arch rgb32" : "a gray one such as --arch conv2"
            throw UsageError("\(architecture.name) is \(model) (\(want)) but \(split.train.name) holds \(data) images (\(have)); read them with --color \(want.channels == 1 ? "gray" : "rgb"), or train \(other)")
        }
        if adjustable, want != have, let size = reading.size {
            throw UsageError("--size \(size): \(architecture.name) takes \(want.height)x\(want.width) images; use --size \(want.height), or a general form such as conv(...) without image:, which takes sides \(architecture.sidesInWords)")
        }
        try checkImageSize(architecture, split)
    }
}

/// Refuses data whose images differ in size from what the architecture takes.
func checkImageSize(_ architecture: Architecture, _ split: DataSplit) throws {
    guard architecture.image == split.shape else {
        throw UsageError("data \(split.train.name) has \(split.shape) images; architecture \(architecture.name) takes \(architecture.image)")
    }
}

/// Prints one line (or JSON object) per epoch.
struct EpochReporter {
    let json: Bool
    let epochs: Int
    let path: String?

    /// Prints the epoch's line; false when stdout could not take it.
    @discardableResult
    func epoch(_ record: EpochRecord) -> Bool {
        if json {
            var fields: [(String, Any)] = [
                ("epoch", record.epoch), ("step", record.step), ("beta", Double(record.beta)),
                ("train_loss", record.train.total), ("train_recon", record.train.reconstruction), ("train_kl", record.train.kl),
                ("test_loss", record.test.negativeELBO), ("test_recon", record.test.reconstruction), ("test_kl", record.test.kl),
                ("train_seconds", record.trainSeconds), ("images_per_s", record.imagesPerSecond),
            ]
            if let bound = record.test.importanceWeightedBound, let k = record.test.importanceSamples {
                fields.append(("test_iw_bound", bound))
                fields.append(("iw_samples", k))
            }
            if let path { fields.append(("checkpoint", path)) }
            return Console.line(JSONLine.encode(fields))
        } else {
            var line = String(format: "epoch %d/%d  train %.2f (recon %.2f + KL %.2f)  test %.2f",
                              record.epoch, epochs, record.train.total, record.train.reconstruction, record.train.kl,
                              record.test.negativeELBO)
            if let bound = record.test.importanceWeightedBound, let k = record.test.importanceSamples {
                line += String(format: "  IW(k=%d) %.2f", k, bound)
            }
            line += String(format: "  %.0f img/s  %.1f s", record.imagesPerSecond, record.trainSeconds)
            if record.beta != 1 { line += String(format: "  beta %g", Double(record.beta)) }
            if let path { line += "  saved \(path)" }
            return Console.line(line)
        }
    }

    /// The one line for a run a signal stopped: "hung up at step 120 (2 full epochs): saved m.safetensors".
    func stopped(_ how: String, step: Int, epochsDone: Int) {
        Console.error("\(how) at step \(step) (\(Console.count(epochsDone, "full epoch"))): saved \(path ?? "nothing")")
    }
}

/// The last epoch written to the checkpoint by this run (0: before the first epoch ended), if any.
final class SavedEpochs: @unchecked Sendable {
    private let lock = NSLock()
    private var epoch: Int?
    var last: Int? { lock.withLock { epoch } }
    func record(_ epoch: Int) { lock.withLock { self.epoch = epoch } }
}

/// How the training thread ended, handed to the main thread.
final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storedError: Error?
    private var storedCancelled = false
    var error: Error? {
        get { lock.withLock { storedError } }
        set { lock.withLock { storedError = newValue } }
    }
    var cancelled: Bool {
        get { lock.withLock { storedCancelled } }
        set { lock.withLock { storedCancelled = newValue } }
    }
}
