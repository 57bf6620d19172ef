import Dispatch

/// Time spent in one layer, for finding where a training step goes.
public struct LayerTiming: Sendable {
    /// The layer's type and, for trainable layers, its checkpoint name.
    public var layer: String
    /// Output shape for the profiled batch.
    public var outputShape: [Int]
    /// Median milliseconds of one forward and of one backward call.
    public var forwardMilliseconds: Double
    public var backwardMilliseconds: Double
}

extension Sequential {
    /// Runs every layer's forward and backward `repetitions` times on random input and
    /// returns the median time of each call, per layer. Parameter gradients are touched:
    /// zero them before training on.
    public func profile(batchSize: Int, repetitions: Int, seed: UInt64 = 1) -> [LayerTiming] {
        var rng = RandomGenerator(seed: seed)
        let ws = workspace(batchSize: batchSize)
        ws.activations[0].storage.withUnsafeMutableBufferPointer { rng.fillUniform($0, 0, 1) }
        func median(_ body: () -> Void) -> Double {
            var samples: [Double] = []
            for _ in 0..<max(1, repetitions) {
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            return samples.sorted()[samples.count / 2]
        }
        var timings: [LayerTiming] = []
        for (i, layer) in layers.enumerated() {
            let forward = median {
                layer.forward(ws.activations[i], into: &ws.activations[i + 1], scratch: &ws.scratch[i])
            }
            ws.gradients[i + 1].storage.withUnsafeMutableBufferPointer { rng.fillUniform($0, -1, 1) }
            let backward = median {
                layer.backward(ws.gradients[i + 1], input: ws.activations[i], output: ws.activations[i + 1],
                               scratch: &ws.scratch[i], dx: &ws.gradients[i], needsInputGradient: i > 0)
            }
            let name = layer.parameters.first.map { "\(type(of: layer)) \($0.name.split(separator: ".")[0])" }
                ?? "\(type(of: layer))"
            timings.append(LayerTiming(layer: name, outputShape: ws.activations[i + 1].shape,
                                       forwardMilliseconds: forward, backwardMilliseconds: backward))
        }
        return timings
    }
}
