import ArgumentParser
import Dispatch
import Foundation
import TerminalUI
import VAECore

/// `latent bench`: trains a reference model and prints the fields of torch_vae.py, for
/// side-by-side comparison with PyTorch.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark training speed and quality on a reference model.",
        discussion: """
            Prints one JSON line per epoch with the same fields as the PyTorch reference \
            (peer, version, model, epoch, train_seconds, images_per_s, train_loss, test_loss), \
            plus threads and the BLAS kernels. Build in release for meaningful numbers.

            Example:
              latent bench --model mlp20 --epochs 3 --threads 2
              latent bench --model conv2 --epochs 1 --data synthetic
              latent bench --model conv2 --epochs 1 --layers
              latent bench --model conv2 --epochs 1 --frames
            """)

    @Option(help: "Reference model: mlp20, mlp2 or conv2.")
    var model: String

    @Option(help: "Passes over the training set.")
    var epochs: Int

    @Option(help: "Data: fashion-mnist, synthetic[:COUNT[:SEED]], or a directory of IDX files.")
    var data: String = "fashion-mnist"

    @Option(help: "Images per step.")
    var batch: Int = 128

    @Option(help: "Train on the first N training images only.")
    var limit: Int?

    @Option(help: "Seed for the initial weights, shuffling and sampling.")
    var seed: UInt64 = 1

    @Flag(help: "Instead of training, time each layer's forward and backward pass at the batch size.")
    var layers = false

    @Flag(help: "Instead of training, time one explorer frame (decode at a moved cursor, then draw) at 100x30 and 200x60.")
    var frames = false

    @OptionGroup var compute: ComputeOptions

    func run() throws {
        guard let architecture = Architecture.named.first(where: { $0.name == model })?.architecture else {
            throw UsageError("--model '\(model)': use one of \(Architecture.named.map(\.name).joined(separator: ", "))")
        }
        let settings = TrainingSettings(epochs: epochs, batchSize: batch, seed: seed)
        if let problem = settings.problem { throw UsageError(problem) }
        if let limit, limit < 1 { throw UsageError("--limit must be at least 1, got \(limit)") }
        try compute.apply()
        if layers {
            profileLayers(architecture)
            return
        }
        if frames {
            try profileFrames(architecture)
            return
        }
        let split = try DataSpec.loadForCommand(data, limit: limit)
        try checkImageSize(architecture, split)
        let blas = BLAS.description
        let trainer = Trainer(model: VAE(configuration: ModelConfiguration(architecture: architecture), seed: seed),
                              data: split, settings: settings)
        try trainer.run { trainer in
            guard let record = trainer.history.last else { return }
            Console.line(JSONLine.encode([
                ("peer", "latent"), ("version", Latent.version), ("model", model), ("epoch", record.epoch),
                ("train_seconds", record.trainSeconds), ("images_per_s", record.imagesPerSecond),
                ("train_loss", record.train.total), ("test_loss", record.test.negativeELBO),
                ("train_recon", record.train.reconstruction), ("train_kl", record.train.kl),
                ("threads", blas.threads), ("blas", blas.coreName),
            ]))
        }
    }

    /// Prints one JSON line per layer of the encoder and decoder, then their sums.
    private func profileLayers(_ architecture: Architecture) {
        let model = VAE(configuration: ModelConfiguration(architecture: architecture), seed: seed)
        let repetitions = max(5, epochs * 20)
        var totals = (forward: 0.0, backward: 0.0)
        for (part, network) in [("encoder", model.encoder), ("decoder", model.decoder)] {
            for timing in network.profile(batchSize: batch, repetitions: repetitions) {
                totals.forward += timing.forwardMilliseconds
                totals.backward += timing.backwardMilliseconds
                Console.line(JSONLine.encode([
                    ("part", part), ("layer", timing.layer),
                    ("output", timing.outputShape.map(String.init).joined(separator: "x")),
                    ("forward_ms", timing.forwardMilliseconds), ("backward_ms", timing.backwardMilliseconds),
                ]))
            }
        }
        Console.line(JSONLine.encode([
            ("part", "total"), ("model", model.configuration.architecture.name), ("batch", batch),
            ("forward_ms", totals.forward), ("backward_ms", totals.backward),
            ("images_per_s_bound", Double(batch) / ((totals.forward + totals.backward) / 1000)),
        ]))
    }

    /// Prints the median time of one explorer frame, a cursor move with its decode plus the
    /// drawing of the whole screen into a grid, for two terminal sizes.
    private func profileFrames(_ architecture: Architecture) throws {
        let model = VAE(configuration: ModelConfiguration(architecture: architecture), seed: seed)
        let data = SyntheticDigits.generate(count: 2000, seed: seed, name: "synthetic")
        let state = ExploreState(model: model, data: data)
        let repetitions = max(50, epochs * 200)
        for (columns, rows) in [(100, 30), (200, 60)] {
            let terminal = MemoryTerminal(columns: columns, rows: rows)
            let app = ExplorerApp(terminal: terminal, state: state, title: "bench")
            var samples: [Double] = []
            for i in 0..<repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                app.handle(i % 20 < 10 ? .right : .left)
                terminal.present(app.frame())
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            samples.sort()
            Console.line(JSONLine.encode([
                ("model", model.configuration.architecture.name), ("size", "\(columns)x\(rows)"),
                ("frames", repetitions), ("median_ms", samples[samples.count / 2]),
                ("p90_ms", samples[samples.count * 9 / 10]),
            ]))
        }
        // The training monitor's periodic refresh on the UI thread: the live map's encoding.
        var refresh: [Double] = []
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = ExploreState(model: model, data: data, limit: TrainScreen.liveMapImages)
            refresh.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        Console.line(JSONLine.encode([
            ("model", model.configuration.architecture.name), ("monitor_refresh_images", TrainScreen.liveMapImages),
            ("median_ms", refresh.sorted()[2]),
        ]))
    }
}
