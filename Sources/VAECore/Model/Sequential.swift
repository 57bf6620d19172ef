/// Layers applied one after another, with the buffers a batch needs kept between calls.
///
/// Buffers are allocated once per batch size (a training epoch sees at most two sizes: the
/// batch and the remainder) and reused, so a training step does not allocate.
public final class Sequential {
    /// The layers, first to last.
    public let layers: [Layer]
    /// Shape of one input sample (without the batch dimension).
    public let sampleShape: [Int]

    /// Per-batch-size buffers: every layer's output and its gradient, and each layer's scratch.
    public final class Workspace {
        /// activations[0] is the input; activations[i + 1] is layer i's output.
        public var activations: [Tensor]
        /// gradients[i] is dL/d activations[i].
        public var gradients: [Tensor]
        var scratch: [Tensor]

        init(layers: [Layer], inputShape: [Int]) {
            var shapes = [inputShape]
            for layer in layers { shapes.append(layer.outputShape(for: shapes.last!)) }
            activations = shapes.map { Tensor(zeros: $0) }
            gradients = shapes.map { Tensor(zeros: $0) }
            scratch = layers.map { Tensor(zeros: [$0.scratchCount(batchSize: inputShape[0])]) }
        }

        /// The last layer's output.
        public var output: Tensor { activations[activations.count - 1] }
    }

    private var workspaces: [Int: Workspace] = [:]

    public init(layers: [Layer], sampleShape: [Int]) {
        self.layers = layers
        self.sampleShape = sampleShape
    }

    /// All trainable parameters, in layer order.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    /// The buffers for a batch of `size`, made on first use.
    public func workspace(batchSize size: Int) -> Workspace {
        if let existing = workspaces[size] { return existing }
        let made = Workspace(layers: layers, inputShape: [size] + sampleShape)
        workspaces[size] = made
        return made
    }

    /// Runs every layer on `input` (copied into the workspace) and returns the workspace,
    /// whose `output` is the result.
    @discardableResult
    public func forward(_ input: UnsafeBufferPointer<Float>, batchSize: Int) -> Workspace {
        let ws = workspace(batchSize: batchSize)
        precondition(input.count == ws.activations[0].count,
                     "input has \(input.count) values, expected \(ws.activations[0].count) for batch \(batchSize)")
        ws.activations[0].storage.withUnsafeMutableBufferPointer { dst in
            _ = dst.update(fromContentsOf: input)
        }
        for (i, layer) in layers.enumerated() {
            layer.forward(ws.activations[i], into: &ws.activations[i + 1], scratch: &ws.scratch[i])
        }
        return ws
    }

    /// Propagates `ws.gradients.last` (set by the caller) back through every layer, accumulating
    /// parameter gradients; `ws.gradients[0]` receives dL/dinput when `needsInputGradient`.
    public func backward(_ ws: Workspace, needsInputGradient: Bool) {
        for i in layers.indices.reversed() {
            layers[i].backward(ws.gradients[i + 1], input: ws.activations[i], output: ws.activations[i + 1],
                               scratch: &ws.scratch[i], dx: &ws.gradients[i],
                               needsInputGradient: i > 0 || needsInputGradient)
        }
    }
}
