import Foundation
import VAECore

extension Train {
    /// The run's settings: each flag given, else the resumed checkpoint's value, else the
    /// default; with the flags that change a resumed checkpoint's settings, in words
    /// ("--lr 0.0005 instead of 0.001").
    func trainingSettings(resumed: TrainingSettings?) -> (settings: TrainingSettings, changes: [String]) {
        let base = resumed ?? TrainingSettings(epochs: epochs)
        var settings = base
        settings.epochs = epochs
        var changes: [String] = []
        func take<T: Equatable>(_ flag: T?, _ name: String, _ path: WritableKeyPath<TrainingSettings, T>,
                                _ text: (T) -> String) {
            guard let flag else { return }
            if resumed != nil, flag != base[keyPath: path] {
                changes.append("--\(name) \(text(flag)) instead of \(text(base[keyPath: path]))")
            }
            settings[keyPath: path] = flag
        }
        take(beta, "beta", \.beta) { String(format: "%g", Double($0)) }
        take(lr, "lr", \.adam.learningRate) { String(format: "%g", Double($0)) }
        take(batch, "batch", \.batchSize) { "\($0)" }
        take(seed, "seed", \.seed) { "\($0)" }
        take(samples, "samples", \.importanceSamples) { "\($0)" }
        return (settings, changes)
    }
}
