import ArgumentParser
import Foundation
import VAECore

/// The `latent` command: variational autoencoders you can see and steer from a terminal.
@main
struct Latent: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "latent",
        abstract: "Train, inspect and benchmark variational autoencoders from a terminal.",
        version: version,
        subcommands: [Explore.self, Interpolate.self, Train.self, Sample.self, Reconstruct.self, Encode.self, Eval.self, Score.self, Plot.self, Bench.self, Info.self, ExportData.self, Watch.self],
        defaultSubcommand: Explore.self
    )

    /// Runs the command line; bad input exits 2 with one line on stderr, failures of the
    /// machine or of training 1.
    static func main() {
        // A reader that went away (a closed pipe) or a file-size limit makes the write fail
        // with an error the command reports, instead of killing latent mid-save.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(with: error)
        }
        finish(0)
    }

    /// Ends the process with `status` once output is flushed. It skips the C library's exit
    /// handlers: OpenBLAS's joins its idle threads there and, now and then, waits for ever.
    /// Files are complete before this: checkpoints and pictures are synced when written.
    static func finish(_ status: Int32) -> Never {
        fflush(nil)
        _exit(status)
    }

    static func exit(with error: Error) -> Never {
        let message: String
        let status: Int32
        switch error {
        case let error as UsageError:
            (message, status) = (error.message, 2)
        case let error as DataError:
            (message, status) = (error.message, 2)
        case let error as CheckpointError:
            (message, status) = (error.message, 2)
        case let error as DataSpec.SpecError:
            (message, status) = (error.description, 2)
        case let error as Architecture.ParseError:
            (message, status) = (error.errorDescription ?? "\(error)", 2)
        case let error as FileError:
            // A path that names no usable file is bad input; a refusal of the machine (no
            // permission, an I/O error, a full disk) is not the user's typing.
            (message, status) = (error.message, error.cause == .badPath ? 2 : 1)
        case let error as CommandFailure:
            (message, status) = (error.message, 1)
        case let error as ExitCode:
            finish(error.rawValue)
        default:
            let code = exitCode(for: error)
            if code == .success {
                // --help and --version.
                print(fullMessage(for: error))
                finish(0)
            }
            // Argument errors (ArgumentParser's own exit status for these is 64): one line,
            // without the usage block, pointing at --help.
            if code == .validationFailure {
                let text = Latent.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                (message, status) = ("\(text.replacingOccurrences(of: "Error: ", with: ""))\(fileNamedLikeAnOption) (see latent help)", 2)
            } else {
                (message, status) = (fullMessage(for: error), 1)
            }
        }
        Console.error(message)
        finish(status)
    }

    /// A hint when an argument that starts with '-' names an existing file: it was read as an
    /// option, and goes after `--` to be read as a file.
    private static var fileNamedLikeAnOption: String {
        let arguments = CommandLine.arguments.dropFirst().prefix { $0 != "--" }
        guard let name = arguments.first(where: { $0.hasPrefix("-") && $0.count > 1 && FileManager.default.fileExists(atPath: $0) }) else {
            return ""
        }
        return "; to name the file \(name), put it after -- (or write ./\(name))"
    }
}

/// A command could not do its work although its input was good (training diverged, say):
/// printed as one line, exit status 1.
struct CommandFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Bad input found by a command: printed as one line, exit status 2.
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
