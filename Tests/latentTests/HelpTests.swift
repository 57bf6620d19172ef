import XCTest

/// Every command's --help shows examples that fit an 80-column terminal and use only options
/// the command has.
final class HelpTests: CommandTestCase {
    static let commands = ["explore", "interpolate", "train", "sample", "reconstruct", "encode",
                           "eval", "score", "plot", "bench", "info", "export-data", "watch"]

    func testEveryCommand_HelpShowsWholeExamplesOfRealOptions() throws {
        for command in Self.commands {
            let help = try latent([command, "--help"])
            XCTAssertEqual(help.status, 0, "\(command): \(help.stderr)")
            let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let start = lines.firstIndex(of: "Example:"),
                  let usage = lines.firstIndex(where: { $0.hasPrefix("USAGE:") }) else {
                XCTFail("\(command) --help has no example: \(help.stdout)")
                continue
            }
            let examples = lines[(start + 1)..<usage].filter { !$0.isEmpty }
            XCTAssertFalse(examples.isEmpty, "\(command) --help lists no example")
            for example in examples {
                XCTAssertTrue(example.hasPrefix("  latent \(command)"), "\(command): an example was split: '\(example)'")
                let options = example.split(separator: " ").filter { $0.hasPrefix("--") }
                for option in options {
                    XCTAssertTrue(help.stdout.contains("  \(option) ") || help.stdout.contains("  \(option)\n"),
                                  "\(command): the example uses \(option), which the command does not list")
                }
            }
            for line in lines[..<usage] {
                XCTAssertLessThanOrEqual(line.count, 80, "\(command): '\(line)' is wider than 80 columns")
            }
        }
    }
}
