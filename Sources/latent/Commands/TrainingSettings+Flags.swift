import VAECore

extension TrainingSettings.Setting {
    /// The flag of `latent train` (and `bench`) that sets it.
    var flag: String {
        switch self {
        case .epochs: return "--epochs"
        case .batchSize: return "--batch"
        case .beta: return "--beta"
        case .learningRate: return "--lr"
        case .importanceSamples: return "--samples"
        }
    }
}

extension UsageError {
    /// A setting out of bounds, named by its flag: "--epochs must be from 1 to 1000000, got 0".
    /// (The core names the setting as a checkpoint stores it: "epochs".)
    init(_ problem: TrainingSettings.Problem) {
        self.init("\(problem.setting.flag) \(problem.text)")
    }
}
