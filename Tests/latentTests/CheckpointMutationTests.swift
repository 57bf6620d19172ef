import Foundation
import XCTest
import VAECore

/// A real checkpoint, mutated at random from a fixed seed, given to the built binary: every run
/// must end with exit 0 (the mutant was still a valid file) or exit 2 with one line on stderr
/// naming the file; never a trap, a signal or another status.
final class CheckpointMutationTests: CommandTestCase {
    /// What a mutant changes.
    enum Kind: String, CaseIterable {
        case byteFlip          // a few bytes anywhere
        case headerByteFlip    // a few bytes of the length field or the header JSON
        case shape             // one tensor's shape: 0, negative, huge, overflowing, fractional, dims added or dropped
        case offsets           // one tensor's data_offsets
        case dtype             // one tensor's dtype
        case truncation        // the file cut short at a random point
        case metadata          // a metadata value changed, removed or made a non-string
    }

    /// How a run ended.
    enum Outcome: String {
        case valid = "exit 0"
        case refused = "exit 2"
        case other
    }

    /// The mutants given to the binary: at least 500, spread evenly over the kinds.
    private let binaryMutants = 504
    /// Further mutants loaded in-process through Checkpoint.load, which is much faster.
    private let inProcessMutants = 1400
    private let seed: UInt64 = 0x5AFE_7E45

    private var dir = ""
    private var original: CheckpointBytes!

    override func setUpWithError() throws {
        dir = try temporaryDirectory()
        let path = try trainSmallModel(dir + "/tiny.safetensors", arch: tinyArch)
        // The history holds timings; fixed ones make the file, and so every mutant, the same on each run.
        let loaded = try Checkpoint.load(path: path)
        var checkpoint = loaded.checkpoint
        for index in checkpoint.history.indices {
            checkpoint.history[index].trainSeconds = 1
            checkpoint.history[index].imagesPerSecond = 256
        }
        try checkpoint.save(loaded.model, to: path)
        original = try CheckpointBytes(Array(try XCTUnwrap(FileManager.default.contents(atPath: path))))
    }

    func testMutatedCheckpoints_NeverCrashTheBinary() throws {
        let started = Date()
        let kinds = Kind.allCases
        let tally = Tally()
        // Runs are independent processes: two or three at a time use the cores while others start.
        let workers = max(2, min(3, ProcessInfo.processInfo.activeProcessorCount + 1))
        let (original, dir, seed, binaryMutants) = (self.original!, self.dir, self.seed, self.binaryMutants)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: binaryMutants, by: workers) {
                var rng = RandomGenerator(seed: seed &+ UInt64(index))
                let kind = kinds[index % kinds.count]
                let (bytes, detail) = original.mutant(kind, using: &rng)
                let path = "\(dir)/mutant-\(index).safetensors"
                XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
                let arguments: [String]
                switch index % 10 {
                case 3: arguments = ["eval", "--model", path, "--data", "synthetic:64", "--threads", "1"]
                case 7: arguments = ["sample", "--model", path, "--grid", "2", "--out", "\(dir)/sample-\(index).png", "--threads", "1"]
                default: arguments = ["info", "--model", path]
                }
                let run = Self.runBinary(arguments)
                let outcome = Self.classify(status: run.status, signalled: run.signalled, stderr: run.stderr, path: path)
                tally.add(kind: kind, outcome: outcome,
                          example: outcome == .other ? "#\(index) \(kind.rawValue) [\(detail)] \(arguments[0]): "
                              + "\(run.signalled ? "signal" : "exit") \(run.status): \(run.stderr.prefix(300))" : nil)
                if outcome != .other { try? FileManager.default.removeItem(atPath: path) }
            }
        }
        let binarySeconds = Date().timeIntervalSince(started)
        let binaryReport = tally.report(title: "\(binaryMutants) mutants through the binary in \(String(format: "%.1f", binarySeconds)) s")
        print(binaryReport)
        XCTAssertEqual(tally.count(.other), 0, binaryReport)
        XCTAssertEqual(tally.total, binaryMutants)

        // In-process: many more mutants through Checkpoint.load, with the binary's rule for errors.
        let inProcess = Tally()
        let path = self.dir + "/in-process.safetensors"
        for index in 0..<inProcessMutants {
            var rng = RandomGenerator(seed: seed ^ 0xFFFF_0000 &+ UInt64(index))
            let kind = kinds[index % kinds.count]
            let (bytes, detail) = original.mutant(kind, using: &rng)
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            var outcome = Outcome.valid
            var message = ""
            do {
                _ = try Checkpoint.load(path: path)
            } catch let error as CheckpointError {
                message = error.message
                outcome = Self.classify(status: 2, signalled: false, stderr: "latent: \(message)\n", path: path)
            } catch {
                message = "\(type(of: error)): \(error)"
                outcome = .other
            }
            inProcess.add(kind: kind, outcome: outcome,
                          example: outcome == .other ? "#\(index) \(kind.rawValue) [\(detail)]: \(message.prefix(300))" : nil)
        }
        let totalSeconds = Date().timeIntervalSince(started)
        let inProcessReport = inProcess.report(title: "\(inProcessMutants) mutants through Checkpoint.load in "
                                               + String(format: "%.1f", totalSeconds - binarySeconds) + " s")
        print(inProcessReport)
        XCTAssertEqual(inProcess.count(.other), 0, inProcessReport)
    }

    /// Exit 0; or exit 2 with exactly one line on stderr that names the file; else `.other`.
    private static func classify(status: Int32, signalled: Bool, stderr: String, path: String) -> Outcome {
        if signalled { return .other }
        if status == 0 { return .valid }
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
        guard status == 2, lines.count == 2, lines[1].isEmpty, lines[0].contains(path + ": ") else { return .other }
        return .refused
    }

    /// Runs the binary with stdout discarded; a run still going after a minute is killed (and
    /// so counted as a signal).
    private static func runBinary(_ arguments: [String]) -> (status: Int32, signalled: Bool, stderr: String) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"  // a crash is counted, not symbolicated
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        process.standardError = err
        do {
            try process.run()
        } catch {
            return (-1, false, "could not start: \(error)")
        }
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal,
                String(decoding: stderr, as: UTF8.self))
    }
}

/// Outcomes counted per kind of mutant, from several threads.
private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [CheckpointMutationTests.Kind: [CheckpointMutationTests.Outcome: Int]] = [:]
    private var examples: [String] = []

    func add(kind: CheckpointMutationTests.Kind, outcome: CheckpointMutationTests.Outcome, example: String?) {
        lock.lock(); defer { lock.unlock() }
        counts[kind, default: [:]][outcome, default: 0] += 1
        if let example, examples.count < 10 { examples.append(example) }
    }

    func count(_ outcome: CheckpointMutationTests.Outcome) -> Int {
        lock.lock(); defer { lock.unlock() }
        return counts.values.reduce(0) { $0 + ($1[outcome] ?? 0) }
    }

    var total: Int {
        lock.lock(); defer { lock.unlock() }
        return counts.values.reduce(0) { $0 + $1.values.reduce(0, +) }
    }

    /// "title: exit 0 N, exit 2 N, other N; per kind: ...; first others: ...".
    func report(title: String) -> String {
        let outcomes: [CheckpointMutationTests.Outcome] = [.valid, .refused, .other]
        let totals = outcomes.map { "\($0.rawValue) \(count($0))" }.joined(separator: ", ")
        lock.lock(); defer { lock.unlock() }
        let perKind = CheckpointMutationTests.Kind.allCases.map { kind in
            "\(kind.rawValue) " + outcomes.map { String(counts[kind]?[$0] ?? 0) }.joined(separator: "/")
        }.joined(separator: ", ")
        var text = "\(title): \(totals); per kind (exit 0/exit 2/other): \(perKind)"
        if !examples.isEmpty { text += "; first others: " + examples.joined(separator: " | ") }
        return text
    }
}

/// A checkpoint split into its header (tensor entries and metadata) and data, from which
/// mutants are made. The header is written back with a small JSON writer of its own, so a
/// mutant can hold numbers no JSON library would produce (2^64, 1e300, -0).
struct CheckpointBytes {
    struct Entry {
        var name: String
        var dtype: String
        var shape: [Int]
        var offsets: [Int]
    }

    let bytes: [UInt8]
    let entries: [Entry]
    let metadata: [String: String]
    let data: [UInt8]

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        var length = 0
        for i in (0..<8).reversed() { length = length << 8 | Int(bytes[i]) }
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
        metadata = try XCTUnwrap(header["__metadata__"] as? [String: String])
        entries = try header.keys.filter { $0 != "__metadata__" }.sorted().map { name in
            let entry = try XCTUnwrap(header[name] as? [String: Any])
            return Entry(name: name, dtype: try XCTUnwrap(entry["dtype"] as? String),
                         shape: try XCTUnwrap(entry["shape"] as? [Int]), offsets: try XCTUnwrap(entry["data_offsets"] as? [Int]))
        }
        data = Array(bytes[(8 + length)...])
    }

    /// A mutant of `kind` and a few words saying what was changed.
    func mutant(_ kind: CheckpointMutationTests.Kind, using rng: inout RandomGenerator) -> (bytes: [UInt8], detail: String) {
        func pick<T>(_ items: [T]) -> T { items[rng.index(below: items.count)] }
        var tensors: [String: String] = [:]      // name -> raw JSON of its entry
        for entry in entries {
            tensors[entry.name] = "{\"data_offsets\":\(entry.offsets),\"dtype\":\(quote(entry.dtype)),\"shape\":\(entry.shape)}"
        }
        var metadataJSON: String? = nil          // replaces the whole __metadata__ value when set
        var meta = metadata.mapValues { quote($0) }
        var detail = ""
        switch kind {
        case .byteFlip, .headerByteFlip:
            var mutated = bytes
            let headerEnd = bytes.count - data.count
            for _ in 0..<(1 + rng.index(below: 3)) {
                let position = kind == .byteFlip ? rng.index(below: mutated.count) : rng.index(below: headerEnd)
                let mask = UInt8(1 + rng.index(below: 255))
                mutated[position] ^= mask
                detail += "byte \(position) ^= \(mask) "
            }
            return (mutated, detail)
        case .truncation:
            let end = rng.index(below: bytes.count)
            return (Array(bytes.prefix(end)), "cut at \(end) of \(bytes.count)")
        case .shape:
            let entry = pick(entries)
            var shape = entry.shape.map(String.init)
            let odd = pick(["0", "-1", "1", "2", "3", "31", "33", "784", "2147483648", "4294967296", "4611686018427387904",
                            "9223372036854775807", "9223372036854775808", "18446744073709551616", "1e300", "1.5", "-0",
                            "null", "\"4\"", "[]", "\(Int(rng.index(below: 100_000)))"])
            switch rng.index(below: 4) {
            case 0: shape[rng.index(below: shape.count)] = odd
            case 1: shape.insert(odd, at: rng.index(below: shape.count + 1))
            case 2: shape.removeLast()
            default: shape = shape.map { _ in pick(["0", "1", "4294967296", "-2", "65536"]) }
            }
            let text = "[" + shape.joined(separator: ",") + "]"
            tensors[entry.name] = "{\"data_offsets\":\(entry.offsets),\"dtype\":\(quote(entry.dtype)),\"shape\":\(text)}"
            detail = "\(entry.name) shape \(text)"
        case .offsets:
            let entry = pick(entries)
            var offsets = entry.offsets.map(String.init)
            let side = rng.index(below: 2)
            let changed = pick(["0", "-4", "4", "\(data.count)", "\(data.count + 4)", "\(entry.offsets[side] + 4)",
                                "\(entry.offsets[side] - 4)", "\(entry.offsets[side] + 1)", "9223372036854775807",
                                "9223372036854775808", "1e300", "null", "\(rng.index(below: data.count + 1))"])
            offsets[side] = changed
            if rng.index(below: 5) == 0 { offsets.swapAt(0, 1) }
            if rng.index(below: 8) == 0 { offsets.append("0") }
            let text = "[" + offsets.joined(separator: ",") + "]"
            tensors[entry.name] = "{\"data_offsets\":\(text),\"dtype\":\(quote(entry.dtype)),\"shape\":\(entry.shape)}"
            detail = "\(entry.name) data_offsets \(text)"
        case .dtype:
            let entry = pick(entries)
            let dtype = pick(["\"F64\"", "\"F16\"", "\"BF16\"", "\"I8\"", "\"U8\"", "\"f32\"", "\"\"", "7", "null", "[\"F32\"]",
                              "\"F32\\n\"", "\"F\\u0000\""])
            tensors[entry.name] = "{\"data_offsets\":\(entry.offsets),\"dtype\":\(dtype),\"shape\":\(entry.shape)}"
            detail = "\(entry.name) dtype \(dtype)"
        case .metadata:
            let key = pick(metadata.keys.sorted() + ["latent.architecture", "latent.image", "latent.history", "latent.training"])
            let ones = Array(repeating: "1", count: 64).joined(separator: ",")
            let record = #"{"beta":1,"epoch":1,"imagesPerSecond":1,"step":2,"test":{"count":42,"kl":1,"reconstruction":1},"train":{"kl":1,"reconstruction":1,"total":2},"trainSeconds":1}"#
            let architectures = [
                "conv(filters:[\(ones)],dense:1,latent:1)", "mlp(hidden:[2000000000],latent:2)", "mlp(hidden:[32],latent:0)",
                "mlp(hidden:[32],latent:2,image:1x9999999999x9999999999)", "mlp(hidden:[32],latent:2,image:1x16x49)",
                "mlp(hidden:[32],latent:2,image:4x14x14)", "mlp(hidden:[32],latent:2,image:1x1x784)", "conv(filters:[0],dense:1,latent:1)",
                "conv(filters:[32,64],dense:16,latent:2,image:0x28x28)", "mlp(hidden:[32],latent:3)", "mlp(hidden:[32,32],latent:2)",
                "mlp(hidden:[],latent:2)", "mlp(", "mlp(hidden:[32],latent:2", "mlp(hidden:[32],latent:2,latent:2)", "conv2", "mlp2",
                "mlp(hidden:[32],\nlatent:2)", "mlp(hidden:[[32]],latent:2)", "mlp(hidden:[9223372036854775807],latent:2)",
                "", String(repeating: "(", count: 10_000),
            ]
            let images = ["1x28x28", "0x28x28", "1x9999999999x9999999999", "4x14x14", "1x1x784", "1x16x49", "3x28x28",
                          "-1x-28x28", "x", "", "1x28x28x1", "1x4096x4096", "1x28"]
            let histories = [
                "[]", "null", "{}", "[\(record)]",
                "[\(record.replacingOccurrences(of: "\"kl\":1,\"reconstruction\":1}", with: "\"kl\":\"nan\",\"reconstruction\":\"inf\"}"))]",
                "[\(record.replacingOccurrences(of: "\"epoch\":1", with: "\"epoch\":-5"))]",
                "[\(record.replacingOccurrences(of: "\"step\":2", with: "\"step\":9223372036854775807"))]",
                "[\(record.replacingOccurrences(of: "\"step\":2", with: "\"step\":-1"))]",
                "[\(record.replacingOccurrences(of: "\"count\":42", with: "\"count\":1e400"))]",
                "[\(record),\(record)]", String(repeating: "[", count: 5000), "[\(record)", "\"nan\"",
            ]
            let trainings = [
                #"{"adam":{"beta1":0.9,"beta2":0.999,"epsilon":1e-08,"learningRate":0.001},"batchSize":-1,"beta":1,"epochs":-3,"importanceSamples":0,"seed":1}"#,
                #"{"adam":{"beta1":0.9,"beta2":0.999,"epsilon":1e-08,"learningRate":0.001},"batchSize":1000000000000000000,"beta":1,"epochs":1,"importanceSamples":9223372036854775807,"seed":1}"#,
                #"{"adam":{"beta1":0.9,"beta2":0.999,"epsilon":1e-08,"learningRate":"nan"},"batchSize":128,"beta":"inf","epochs":1,"importanceSamples":0,"seed":1}"#,
                #"{"epochs":1e300}"#, "[]", "",
            ]
            let value: String?
            switch rng.index(below: 10) {
            case 0: value = nil  // removed
            case 1: value = pick(["3", "null", "{}", "[\"a\"]", "true"])  // not a string
            case 2:
                metadataJSON = pick(["[]", "\"x\"", "7", "null", "{\"latent.architecture\":{}}"])
                value = nil
            default:
                switch key {
                case "latent.architecture": value = quote(pick(architectures))
                case "latent.image": value = quote(pick(images))
                case "latent.history": value = quote(pick(histories))
                case "latent.training": value = quote(pick(trainings))
                case "latent.kind": value = quote(pick(["ae", "vae", "gan", ""]))
                case "latent.reconstruction": value = quote(pick(["mse", "bce", "l1"]))
                default: value = quote(pick(["", "x", "synthetic:64", "\u{1}\n"]))
                }
            }
            meta[key] = value
            detail = metadataJSON.map { "__metadata__ = \($0)" } ?? "\(key) = \((value ?? "removed").prefix(120))"
        }
        let metadataText = metadataJSON ?? "{" + meta.keys.sorted().map { "\(quote($0)):\(meta[$0]!)" }.joined(separator: ",") + "}"
        let header = "{\"__metadata__\":\(metadataText)," + tensors.keys.sorted().map { "\(quote($0)):\(tensors[$0]!)" }.joined(separator: ",") + "}"
        var length = UInt64(header.utf8.count).littleEndian
        return (withUnsafeBytes(of: &length, Array.init) + Array(header.utf8) + data, detail)
    }

    /// A JSON string literal.
    private func quote(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed]), as: UTF8.self)
    }
}
