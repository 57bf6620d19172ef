import ArgumentParser
import Foundation
import VAECore

/// `latent bench`: trains a reference model and prints the fields of torch_vae.py, for
/// side-by-side comparison with PyTorch.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark training speed and quality on a reference model.",
        discussion: """
            Trains for --epochs and prints one JSON line per epoch with the fields of the \
            PyTorch reference (peer, version, model, epoch, train_seconds, images_per_s, \
            train_loss, test_loss), plus train_recon, train_kl, threads and blas, the BLAS \
            kernels. Build in release for meaningful numbers.

            --layers times each layer's forward and backward pass instead (part, layer, \
            output, forward_ms, backward_ms, then their totals). --frames times the \
            explorer: one frame, a cursor move with its decode and the drawing of the \
            screen, at 100x30 and 200x60 (median_ms, p90_ms), and the training monitor's \
            refresh of its live map (monitor_refresh_images, median_ms). --load times \
            reading --data at the model's image size and channels, on every core, once from \
            the files and once from a fresh cache (images, workers, seconds, images_per_s, \
            decode_ms_per_image, cached_seconds, dataset_mb, and max_rss_mb, the peak after the \
            first load).

            Example:
              latent bench --model mlp20 --epochs 3 --threads 2
              latent bench --model conv2 --epochs 1 --data synthetic
              latent bench --model conv2 --layers
              latent bench --model conv2 --frames
              latent bench --model rgb64 --data ~/photos --load
            """)

    @Option(help: "Reference model: mlp20, mlp2, conv2, rgb32 or rgb64.")
    var model: String

    @Option(help: "Passes over the training set (needed unless --layers or --frames).")
    var epochs: Int?

    @Option(help: "Data: fashion-mnist, synthetic[:COUNT[:SEED]], sprites[:COUNT[:SEED]], or a directory of IDX files or of PNG/JPEG/PGM/PPM images.")
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

    @Flag(help: "Instead of training, time reading --data at the model's image size, from the files and from the cache.")
    var load = false

    @Option(help: "Timed runs for --layers (default 20) or --frames (default 200); the median is printed.")
    var repetitions: Int?

    @OptionGroup var compute: ComputeOptions

    func run() throws {
        guard let architecture = Architecture.named.first(where: { $0.name == model })?.architecture else {
            throw UsageError("--model '\(model)': use one of \(Architecture.named.map(\.name).joined(separator: ", "))")
        }
        if let repetitions, !(1...100_000).contains(repetitions) {
            throw UsageError("--repetitions must be from 1 to 100000, got \(repetitions)")
        }
        if load {
            if epochs != nil || layers || frames { throw UsageError("--load times reading alone; drop --epochs, --layers and --frames") }
            try compute.apply()
            return try profileLoad(architecture)
        }
        if layers || frames {
            if epochs != nil { throw UsageError("--epochs trains; --layers and --frames time without training, so drop one") }
            if batch < 1 { throw UsageError("--batch must be at least 1, got \(batch)") }
            try compute.apply()
            if layers { profileLayers(architecture, repetitions: repetitions ?? 20) }
            if frames { profileFrames(architecture, repetitions: repetitions ?? 200) }
            return
        }
        guard let epochs else { throw UsageError("--epochs is needed to train; --layers or --frames time without training") }
        if repetitions != nil { throw UsageError("--repetitions goes with --layers or --frames") }
        let settings = TrainingSettings(epochs: epochs, batchSize: batch, seed: seed)
        if let problem = settings.problem { throw UsageError(problem) }
        if let limit, limit < 1 { throw UsageError("--limit must be at least 1, got \(limit)") }
        try compute.apply()
        let split = try DataChoice(flag: data).load(options: .matching(architecture.image), limit: limit)
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
}
