import ArgumentParser
import Foundation
import TerminalUI
import VAECore

/// `latent watch RUN.safetensors`: the training monitor for a run another process writes.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a run another process trains: its losses, samples and latent map, live.",
        discussion: """
            Watches a checkpoint that latent train or the Python companion (python -m \
            latent_torch.train) rewrites every epoch, and the run log beside it (run.jsonl for \
            run.safetensors), on a shared or synced disk as well: the loss chart from the log \
            (the checkpoint's epochs when there is none), the run's epoch, step, speed and \
            beta, and samples, reconstructions and the latent map from the newest weights; Tab \
            opens the explore and interpolate views of the newest model. The files are looked \
            at every second; a checkpoint that cannot be read (a half-written copy, a deleted \
            file) keeps the last good model on screen and is said so on the second line. The \
            status says when nothing has changed for --stale seconds. --once prints the last \
            epoch's line and exits, without a terminal.

            Example:
              latent watch run.safetensors
              latent watch /mnt/cluster/runs/faces.safetensors --data ~/photos/faces
              latent watch run.safetensors --once
            """)

    @Argument(help: "The checkpoint the run writes (.safetensors).")
    var file: String

    @Flag(help: "Print the last finished epoch's line (or the run log's last step) and exit.")
    var once = false

    @Flag(help: "With --once, a JSON object instead of a line.")
    var json = false

    @Option(help: "Test data to show reconstructions and the map on (default: the run's own data).")
    var data: String?

    @Option(help: "Seconds without a change after which the run is said to have stopped updating.")
    var stale: Double = 60

    @OptionGroup var display: TerminalOptions

    @OptionGroup var compute: ComputeOptions

    func run() throws {
        if !(stale > 0) || !stale.isFinite { throw UsageError("--stale must be a positive number of seconds, got \(stale)") }
        guard FileManager.default.fileExists(atPath: file) else {
            throw UsageError("\(file): no such file; start the run first (latent train or python -m latent_torch.train), then watch it")
        }
        try compute.apply()
        let follower = RunFollower(path: file)
        follower.poll()
        guard let model = follower.state.model, let checkpoint = follower.state.checkpoint else {
            throw UsageError(follower.state.problem ?? "\(file): not a checkpoint")
        }
        if once { return printOnce(follower.state, checkpoint: checkpoint) }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw UsageError("latent watch needs an interactive terminal; --once prints the last epoch without one")
        }
        let choice = DataChoice(flag: data, checkpoint: checkpoint.data)
        let image = model.configuration.architecture.image
        // The test set is read once, before the screen opens; without one the chart and the
        // samples still show.
        var test: Dataset?
        var dataProblem: String?
        do {
            test = try Console.loading(choice.spec) {
                try choice.load(options: .matching(image, fit: checkpoint.fit ?? .crop), testOnly: true).test
            }
            if test?.shape != image || test?.count == 0 { (test, dataProblem) = (nil, "its data does not fit the model") }
        } catch {
            dataProblem = "\(error)"
        }
        let terminal = try display.open(advice: "latent watch --once prints the last epoch without one")
        defer { terminal.restore() }
        // Said again on the shell, after the terminal is restored (defers run last-first).
        defer { if let dataProblem { Console.error("latent watch showed no reconstructions or map: \(dataProblem)") } }
        let screen = WatchScreen(follower: follower, abilities: terminal.abilities, staleSeconds: stale, test: test)
        var screens: [AppScreen] = [screen]
        if let state = screen.map {
            let explore = ExploreScreen(state: state, abilities: terminal.abilities)
            let interpolate = InterpolateScreen(state: state, abilities: terminal.abilities)
            screen.onModel = { state in
                explore.replace(state: state)
                interpolate.replace(state: state)
            }
            screens += [explore, interpolate]
        }
        let name = URL(fileURLWithPath: file).lastPathComponent
        let app = ExplorerApp(terminal: terminal, screens: screens, title: "watching \(name), \(model.configuration.architecture.name)")
        try runStoppingOnSignals(app, terminal: terminal)
    }

    /// The last epoch's line as `latent train` prints it, or where the first epoch has got to.
    private func printOnce(_ state: RunFollower.State, checkpoint: Checkpoint) {
        let epochs = checkpoint.training?.epochs ?? checkpoint.history.count
        if let record = checkpoint.history.last {
            EpochReporter(json: json, epochs: epochs, path: json ? file : nil).epoch(record)
            return
        }
        if let lastStep = state.lastStep {
            Console.line(String(format: "no epoch finished yet: step %d of epoch %d, train %.2f (recon %.2f + KL %.2f)",
                                lastStep.step, lastStep.epoch, lastStep.total, lastStep.reconstruction, lastStep.kl))
        } else {
            Console.line("no epoch finished yet")
        }
    }
}
