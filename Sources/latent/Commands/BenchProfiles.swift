import Dispatch
import Foundation
import TerminalUI
import VAECore

/// `latent bench --layers` and `--frames`: timings of the parts rather than of training.
extension Bench {
    /// Prints one JSON line per layer of the encoder and decoder, then their sums.
    func profileLayers(_ architecture: Architecture, repetitions: Int) {
        let model = VAE(configuration: ModelConfiguration(architecture: architecture), seed: seed)
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
        ]))
    }

    /// Prints the median time of one explorer frame, a cursor move with its decode plus the
    /// drawing of the whole screen into a grid and the colour numbers a 256-colour terminal is
    /// given for it (the palette dither of colour images included), for two terminal sizes.
    /// Colour models are timed on sprites of their size, gray ones on synthetic digits (the
    /// reference models are 28x28 gray, or colour at 32 or 64).
    func profileFrames(_ architecture: Architecture, repetitions: Int) {
        let model = VAE(configuration: ModelConfiguration(architecture: architecture), seed: seed)
        let image = architecture.image
        let data = image.channels == 3 ? Sprites.generate(count: 2000, seed: seed, name: "sprites", size: image.height)
            : SyntheticDigits.generate(count: 2000, seed: seed, name: "synthetic")
        let state = ExploreState(model: model, data: data)
        // Kept so that the colour numbers are not optimised away.
        var colourChecksum: Int32 = 0
        defer { if colourChecksum == .min { Console.line("") } }
        for (columns, rows) in [(100, 30), (200, 60)] {
            let terminal = MemoryTerminal(columns: columns, rows: rows)
            let app = ExplorerApp(terminal: terminal, state: state, title: "bench")
            let numbers = ColorNumbers(abilities: terminal.abilities)
            var samples: [Double] = []
            for i in 0..<repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                app.handle(i % 20 < 10 ? .right : .left)
                let frame = app.frame()
                terminal.present(frame)
                var checksum: Int32 = 0
                for y in 0..<frame.height {
                    for x in 0..<frame.width {
                        checksum &+= numbers.number(frame[x, y].foreground, x: x, y: 2 * y)
                            &+ numbers.number(frame[x, y].background, x: x, y: 2 * y + 1)
                    }
                }
                colourChecksum &+= checksum
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

    /// Prints how long reading --data takes at the model's image size and channels: from the
    /// files on every core (which also writes a cache entry), then from that entry; null when
    /// no entry was made (data that is not a folder, or a disk without room for it).
    func profileLoad(_ architecture: Architecture) throws {
        let spec: DataSpec
        do { spec = try DataSpec(parsing: data) } catch let error as DataSpec.SpecError {
            throw UsageError("--data '\(error.spec)': \(error.reason)")
        }
        // A cache of its own, without the user's limit, deleted after.
        let cache = FolderCache(directory: NSTemporaryDirectory() + "latent-bench-cache-\(getpid())", limit: .max)
        defer { try? FileManager.default.removeItem(atPath: cache.directory) }
        let options = DataOptions.matching(architecture.image)
        func timed(_ work: () throws -> DataSplit) rethrows -> (DataSplit, Double) {
            let start = DispatchTime.now().uptimeNanoseconds
            let split = try work()
            return (split, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        func maximumResidentMegabytes() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_maxrss) / 1000
        }
        // The first set is let go before the second load, so the peak is one load's.
        var (images, shape, megabytes, seconds, peak) = (0, "", 0.0, 0.0, 0.0)
        do {
            let (split, time) = try timed { try spec.load(options: options, cache: cache) }
            (images, shape, seconds, peak) = (split.train.count + split.test.count, "\(split.shape)", time, maximumResidentMegabytes())
            megabytes = Double(split.train.pixels.count + split.test.pixels.count) / 1e6
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: cache.directory)) ?? []
        let cachedSeconds = entries.contains { $0.hasSuffix(".folder") }
            ? try timed { try spec.load(options: options, cache: cache) }.1 : .nan
        let workers = ProcessInfo.processInfo.activeProcessorCount
        Console.line(JSONLine.encode([
            ("data", data), ("image", shape), ("images", images), ("workers", workers),
            ("seconds", seconds), ("images_per_s", Double(images) / max(seconds, 1e-9)),
            ("decode_ms_per_image", 1000 * seconds * Double(workers) / Double(max(images, 1))),
            ("cached_seconds", cachedSeconds),
            ("dataset_mb", megabytes), ("max_rss_mb", peak),
        ]))
    }
}
