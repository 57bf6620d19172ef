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
        subcommands: [Explore.self, Interpolate.self, Train.self, Sample.self, Reconstruct.self, Encode.self, Eval.self, Score.self, Plot.self, Bench.self, Info.self],
        defaultSubcommand: Explore.self
    )

    /// Runs the command line; bad input exits 2 with one line on stderr, internal failures 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(with: error)
        }
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
        case let error as Architecture.ParseError:
            (message, status) = (error.errorDescription ?? "\(error)", 2)
        case let error as ExitCode:
            Foundation.exit(error.rawValue)
        default:
            let code = exitCode(for: error)
            if code == .success {
                // --help and --version.
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // Argument errors (ArgumentParser's own exit status for these is 64): one line,
            // without the usage block, pointing at --help.
            if code == .validationFailure {
                let text = Latent.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                (message, status) = ("\(text.replacingOccurrences(of: "Error: ", with: "")) (see latent help)", 2)
            } else {
                (message, status) = (fullMessage(for: error), 1)
            }
        }
        Console.error(message)
        Foundation.exit(status)
    }
}

/// Bad input found by a command: printed as one line, exit status 2.
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
