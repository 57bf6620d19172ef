import VAECore

/// The data a command works on and where that choice came from: the `--data` flag, else the
/// data its checkpoint was trained on, else fashion-mnist. The core's errors name the spec;
/// this adds the source, so the line says which flag to change.
struct DataChoice {
    enum Source {
        /// Given with --data (or the command's default for it).
        case flag
        /// What the checkpoint was trained on.
        case checkpoint
        /// fashion-mnist, when nothing names any.
        case fallback
    }

    let spec: String
    let source: Source

    init(flag: String?, checkpoint: String?) {
        if let flag {
            (spec, source) = (flag, .flag)
        } else if let checkpoint {
            (spec, source) = (checkpoint, .checkpoint)
        } else {
            (spec, source) = ("fashion-mnist", .fallback)
        }
    }

    /// The flag's own value, for commands whose --data has a default.
    init(flag: String) {
        (spec, source) = (flag, .flag)
    }

    /// Parses and loads the spec as `options` say, turning a spec that names no data into one
    /// line that says where it came from. With `testOnly` the training set is not read (see
    /// `DataSpec.load`). An image folder is kept in the user's cache (`FolderCache`) and, with
    /// `showProgress`, reports its progress on stderr when that is a terminal.
    func load(options: DataOptions = DataOptions(), limit: Int? = nil, testOnly: Bool = false,
              showProgress: Bool = true) throws -> DataSplit {
        var split: DataSplit
        let progress = FolderProgress()
        defer { progress.finish() }
        do {
            split = try DataSpec(parsing: spec).load(options: options, testOnly: testOnly,
                                                     progress: showProgress ? progress.report : nil,
                                                     cache: try FolderCache.standard())
        } catch let error as DataSpec.SpecError {
            switch source {
            case .flag: throw UsageError("--data '\(error.spec)': \(error.reason)")
            case .checkpoint: throw UsageError("the checkpoint's \(error); name other data with --data")
            case .fallback: throw UsageError("the default \(error); name other data with --data")
            }
        }
        if let limit {
            split.train = split.train.prefix(limit)
        }
        return split
    }
}

/// An image folder's loading progress as a `ProgressLine` per phase ("scanning", "reading").
private final class FolderProgress: @unchecked Sendable {
    private var line: (phase: String, progress: ProgressLine)?

    /// The folder's reports come one at a time (see `ImageFolder.Progress`).
    var report: ImageFolder.Progress {
        { [self] phase, done, total in
            if line?.phase != phase {
                line?.progress.finish()
                line = (phase, ProgressLine(phase, total: total))
            }
            line?.progress.update(done)
        }
    }

    func finish() { line?.progress.finish() }
}
