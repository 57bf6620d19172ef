import Dispatch

/// One training step's forward and backward split over the cores: each worker takes a slice of
/// the batch on its own replica of the model, with single-threaded BLAS, and the gradients are
/// summed into the primary model.
///
/// For convolutional models this beats multi-threaded BLAS on the whole batch: the layers' own
/// loops (layout changes, activations) run in parallel too, and no core idles between products.
/// Replicas take the primary's weights before every step, so the result is the batch's summed
/// gradient whatever the worker count; sampling uses one generator per slice, drawn from the
/// caller's, so a seed and worker count give the same losses every run.
final class DataParallelStep {
    let primary: VAE
    private let replicas: [VAE]

    /// `workers` - 1 replicas of `model` are made; `model` itself takes the first slice.
    init(model: VAE, workers: Int) {
        precondition(workers >= 2, "data parallelism needs at least 2 workers, got \(workers)")
        primary = model
        replicas = (1..<workers).map { _ in model.copy() }
    }

    var workers: Int { replicas.count + 1 }

    /// Accumulates the batch's summed-loss gradient into the primary model (zero it first) and
    /// returns the batch means, as `VAE.accumulateGradients` does.
    func accumulateGradients(batch x: UnsafeBufferPointer<Float>, batchSize n: Int, beta: Float,
                             rng: inout RandomGenerator) -> LossTerms {
        let d = primary.pixelCount
        for replica in replicas {
            for (mine, theirs) in zip(primary.parameters, replica.parameters) {
                theirs.value.storage.withUnsafeMutableBufferPointer { target in
                    mine.value.storage.withUnsafeBufferPointer { _ = target.update(fromContentsOf: $0) }
                }
            }
        }
        let models = [primary] + replicas
        let slices = (0..<workers).map { w in (n * w / workers)..<(n * (w + 1) / workers) }
        let seeds = (0..<workers).map { _ in rng.next() }
        var results = [LossTerms](repeating: LossTerms(reconstruction: 0, kl: 0, total: 0), count: workers)
        let threads = BLAS.threads
        BLAS.setThreads(1)
        defer { BLAS.setThreads(threads) }
        let images = UncheckedSendable(x)
        results.withUnsafeMutableBufferPointer { out in
            let out = UncheckedSendable(out)
            let shared = UncheckedSendable(models)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let slice = slices[w]
                guard !slice.isEmpty else { return }
                let model = shared.value[w]
                if w > 0 { model.zeroGradients() }
                var sliceRNG = RandomGenerator(seed: seeds[w])
                let part = UnsafeBufferPointer(rebasing: images.value[(slice.lowerBound * d)..<(slice.upperBound * d)])
                out.value[w] = model.accumulateGradients(batch: part, batchSize: slice.count, beta: beta, rng: &sliceRNG)
            }
        }
        for replica in replicas {
            for (mine, theirs) in zip(primary.parameters, replica.parameters) {
                mine.gradient.storage.withUnsafeMutableBufferPointer { target in
                    theirs.gradient.storage.withUnsafeBufferPointer { source in
                        for i in target.indices { target[i] += source[i] }
                    }
                }
            }
        }
        var sum = (reconstruction: 0.0, kl: 0.0, total: 0.0)
        for (terms, slice) in zip(results, slices) {
            let weight = Double(slice.count) / Double(n)
            sum.reconstruction += terms.reconstruction * weight
            sum.kl += terms.kl * weight
            sum.total += terms.total * weight
        }
        return LossTerms(reconstruction: sum.reconstruction, kl: sum.kl, total: sum.total)
    }
}
