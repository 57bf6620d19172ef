import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The run log: one JSON object per line beside a checkpoint (`run.jsonl` beside
/// `run.safetensors`), appended while it trains by `latent train` and by the Python
/// companion alike, and read by `latent watch`.
///
/// A step line every `interval` steps averages the steps since the previous one:
/// `{"step": 120, "epoch": 2, "images": 15360, "recon": 261.4, "kl": 6.2, "total": 267.6,
/// "beta": 1.0, "images_per_s": 4123.5, "time": 1764400000.12}` (`images`: the epoch's so far;
/// the terms are per image). After each epoch's test, an epoch line:
/// `{"epoch_end": 2, "step": 940, "train_loss": 266.9, "test_loss": 262.1, "time": ...}`.
/// Non-finite numbers are written as null. A reader skips a line that does not end in a
/// newline (the writer may be in the middle of it) and any line that is not such an object.
public enum RunLog {
    /// One line of the log.
    public enum Entry: Equatable, Sendable {
        case step(Step)
        case epoch(Epoch)
    }

    public struct Step: Equatable, Sendable {
        public var step: Int, epoch: Int, images: Int
        public var reconstruction: Double, kl: Double, total: Double, beta: Double
        public var imagesPerSecond: Double
        /// Seconds since 1970 when the line was written.
        public var time: Double
    }

    public struct Epoch: Equatable, Sendable {
        public var epoch: Int, step: Int
        public var trainLoss: Double, testLoss: Double
        public var time: Double
    }

    /// The log beside `checkpoint`: its name with .jsonl for .safetensors.
    public static func path(for checkpoint: String) -> String {
        let ns = checkpoint as NSString
        return (ns.pathExtension == "safetensors" ? ns.deletingPathExtension : checkpoint) + ".jsonl"
    }

    /// The log's whole lines that are step or epoch lines, in order. Reads at most the last
    /// `maximumBytes` of a long log (a newline is looked for after the cut).
    public static func read(path: String, maximumBytes: Int = 16 << 20) -> [Entry] {
        // A regular file only: a FIFO would block.
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
              let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > UInt64(maximumBytes) ? size - UInt64(maximumBytes) : 0
        guard (try? handle.seek(toOffset: start)) != nil, let data = try? handle.readToEnd() else { return [] }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        lines.removeLast()  // after the last newline: empty, or a line being written
        if start > 0, !lines.isEmpty { lines.removeFirst() }  // cut in the middle
        return lines.compactMap { entry(Data($0)) }
    }

    static func entry(_ line: Data) -> Entry? {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else { return nil }
        func number(_ key: String) -> Double? {
            if object[key] is NSNull { return .nan }
            return (object[key] as? NSNumber)?.doubleValue
        }
        func integer(_ key: String) -> Int? {
            guard let value = (object[key] as? NSNumber)?.doubleValue, value.isFinite, value >= 0, value < 1e15 else { return nil }
            return Int(value)
        }
        if let epoch = integer("epoch_end") {
            guard let step = integer("step") else { return nil }
            return .epoch(Epoch(epoch: epoch, step: step, trainLoss: number("train_loss") ?? .nan,
                                testLoss: number("test_loss") ?? .nan, time: number("time") ?? 0))
        }
        guard let step = integer("step"), let epoch = integer("epoch") else { return nil }
        return .step(Step(step: step, epoch: epoch, images: integer("images") ?? 0, reconstruction: number("recon") ?? .nan,
                          kl: number("kl") ?? .nan, total: number("total") ?? .nan, beta: number("beta") ?? .nan,
                          imagesPerSecond: number("images_per_s") ?? .nan, time: number("time") ?? 0))
    }

    /// Writes a trainer's log: a step line every `interval` steps and an epoch line after each
    /// epoch. A log that cannot be written is given up quietly: the checkpoint is what counts.
    public final class Writer: @unchecked Sendable {
        public let path: String
        private let interval: Int
        private let batchSize: Int, trainCount: Int
        private var window = (reconstruction: 0.0, kl: 0.0, total: 0.0, images: 0, started: Date())
        private var broken = false

        /// A writer for a trainer with these settings; `fresh` empties an existing log (a new
        /// run), else lines are added to it (a resumed one).
        public init(path: String, interval: Int = 10, batchSize: Int, trainCount: Int, fresh: Bool) {
            precondition(interval >= 1, "a line every \(interval) steps")
            (self.path, self.interval, self.batchSize, self.trainCount) = (path, interval, batchSize, trainCount)
            var status = stat()
            if stat(path, &status) == 0 && status.st_mode & S_IFMT != S_IFREG {
                broken = true  // a FIFO or a device in its place: never opened
            } else if fresh {
                broken = !FileManager.default.createFile(atPath: path, contents: nil)
            }
        }

        /// Listens to `trainer`.
        public func follow(_ trainer: Trainer) {
            trainer.addListener { [self] event in
                switch event {
                case .step(let report): step(report)
                case .epoch(let record): epoch(record)
                default: break
                }
            }
        }

        func step(_ report: StepReport) {
            let n = min(batchSize, max(0, trainCount - (report.batch - 1) * batchSize))
            window.reconstruction += report.loss.reconstruction * Double(n)
            window.kl += report.loss.kl * Double(n)
            window.total += report.loss.total * Double(n)
            window.images += n
            guard report.step % interval == 0 || report.batch == report.batchesPerEpoch else { return }
            let count = Double(max(window.images, 1))
            let seconds = max(Date().timeIntervalSince(window.started), 1e-9)
            append([("step", report.step), ("epoch", report.epoch), ("images", min(report.batch * batchSize, trainCount)),
                    ("recon", window.reconstruction / count), ("kl", window.kl / count), ("total", window.total / count),
                    ("beta", Double(report.beta)), ("images_per_s", Double(window.images) / seconds),
                    ("time", Date().timeIntervalSince1970)])
            window = (0, 0, 0, 0, Date())
        }

        func epoch(_ record: EpochRecord) {
            append([("epoch_end", record.epoch), ("step", record.step), ("train_loss", record.train.total),
                    ("test_loss", record.test.negativeELBO), ("time", Date().timeIntervalSince1970)])
        }

        private func append(_ fields: [(String, Any)]) {
            guard !broken else { return }
            let text = "{" + fields.map { key, value in
                let number: String
                if let value = value as? Int {
                    number = String(value)
                } else if let value = value as? Double {
                    number = !value.isFinite ? "null" : key == "time" ? String(format: "%.3f", value) : String(format: "%.10g", value)
                } else {
                    number = "null"
                }
                return "\"\(key)\": \(number)"
            }.joined(separator: ", ") + "}\n"
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0o644)
            guard descriptor >= 0 else {
                broken = true
                return
            }
            let bytes = Array(text.utf8)
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
            if written != bytes.count { broken = true }
        }
    }
}
