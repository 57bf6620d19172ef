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
        do { try BLAS.ensureLoaded() } catch { throw UsageError(String(describing: error)) }
        if let threads { BLAS.setThreads(threads) }
    }
}

extension DataSpec {
    /// Parses and loads a data spec, turning every failure into one line for the user.
    static func loadForCommand(_ text: String, limit: Int?) throws -> DataSplit {
        var split = try DataSpec(parsing: text).load()
        if let limit {
            split.train = split.train.prefix(limit)
        }
        return split
    }
}

extension ModelKind: ExpressibleByArgument {}
extension Reconstruction: ExpressibleByArgument {}
