import ArgumentParser
import VAECore

/// Options every compute-heavy command shares.
struct ComputeOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for matrix products (default: OpenBLAS's choice, one per core).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// Loads BLAS and applies the thread count.
    func apply() throws {
        // A missing library is the machine's fault, not the command line's.
        do { try BLAS.ensureLoaded() } catch { throw CommandFailure(String(describing: error)) }
        if let threads { BLAS.setThreads(threads) }
    }
}

extension ModelKind: ExpressibleByArgument {}
extension Reconstruction: ExpressibleByArgument {}

/// The checkpoint a command works on, for commands that need no data.
struct CheckpointOptions: ParsableArguments {
    @Option(help: "Checkpoint (default: the bundled Fashion-MNIST conv2).")
    var model: String?

    @OptionGroup var compute: ComputeOptions

    /// The checkpoint's path: --model, else the bundled model.
    func modelPath() throws -> String {
        try model ?? Explore.findBundledModel()
    }

    /// Loads BLAS and the checkpoint.
    func loadModel() throws -> (model: VAE, checkpoint: Checkpoint) {
        let path = try modelPath()
        try compute.apply()
        return try Checkpoint.load(path: path)
    }
}

/// The checkpoint and data a non-interactive command works on.
struct ModelOptions: ParsableArguments {
    @OptionGroup var checkpoint: CheckpointOptions

    @Option(help: "Data (default: what the model was trained on, else fashion-mnist).")
    var data: String?

    func modelPath() throws -> String { try checkpoint.modelPath() }

    func loadModel() throws -> (model: VAE, checkpoint: Checkpoint) { try checkpoint.loadModel() }

    /// Loads the test set the model is used on (these commands never read the training set)
    /// and checks its image size.
    func loadTestData(for loaded: (model: VAE, checkpoint: Checkpoint)) throws -> Dataset {
        let options = DataOptions.matching(loaded.model.configuration.architecture.image, fit: loaded.checkpoint.fit ?? .crop)
        let split = try DataChoice(flag: data, checkpoint: loaded.checkpoint.data).load(options: options, testOnly: true)
        try checkImageSize(loaded.model.configuration.architecture, split)
        return split.test
    }
}

/// Where a picture goes and how large its pixels are.
struct PictureOptions: ParsableArguments {
    @Option(help: "Picture to write: .png, .jpg, .pgm or .ppm; its folder must exist.")
    var out: String

    @Option(help: "Pixels per image pixel in the picture (1 to 16).")
    var scale: Int = 2

    /// Refuses a bad scale or an output path that cannot be written, before any work.
    func check() throws {
        if scale < 1 || scale > 16 { throw UsageError("--scale must be from 1 to 16, got \(scale)") }
        try OutputPath.checkPicture(out)
    }
}
