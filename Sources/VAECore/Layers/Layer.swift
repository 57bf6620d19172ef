/// A trainable tensor: its value, the gradient accumulated for it, and its checkpoint name.
///
/// A reference type so that the optimiser, the checkpoint code and the layer that owns it all
/// see the same storage.
public final class Parameter: @unchecked Sendable {
    /// PyTorch-style name, e.g. `fc1.weight`.
    public let name: String
    /// Current value.
    public var value: Tensor {
        // Every change goes through this property (an optimiser's step in place included), so
        // what is derived from the value can tell whether it is still current.
        didSet { version &+= 1 }
    }
    /// Changes on every change of `value`.
    public private(set) var version: UInt64 = 0
    /// Accumulated gradient, same shape as `value`. Layers only ever add to it.
    public var gradient: Tensor

    /// A parameter of the given shape, values drawn from U(-bound, bound).
    public init(name: String, shape: [Int], uniformBound bound: Float, using rng: inout RandomGenerator) {
        self.name = name
        var value = Tensor(zeros: shape)
        value.storage.withUnsafeMutableBufferPointer { rng.fillUniform($0, -bound, bound) }
        self.value = value
        self.gradient = Tensor(zeros: shape)
    }

    /// Sets the gradient to zero.
    public func zeroGradient() { gradient.zero() }
}

/// One step of a network with an explicit forward/backward pair.
///
/// Shapes are batch first. `forward` may keep what `backward` needs in `scratch`, whose size
/// the layer states per batch size; the caller allocates it once per batch size and passes the
/// same buffer to both calls. Gradients of parameters are accumulated (`+=`): zero them first.
public protocol Layer: AnyObject {
    /// The output shape for an input of shape `input`.
    func outputShape(for input: [Int]) -> [Int]
    /// Elements of scratch space `forward` and `backward` need for a batch of `batchSize`.
    func scratchCount(batchSize: Int) -> Int
    /// Computes the output for `x` into `y`, whose shape must be `outputShape(for: x.shape)`.
    func forward(_ x: Tensor, into y: inout Tensor, scratch: inout Tensor)
    /// Accumulates parameter gradients from `dy` and, when `needsInputGradient`, writes dL/dx
    /// into `dx`. `x`, `y` and `scratch` are what the matching `forward` saw and left.
    func backward(_ dy: Tensor, input x: Tensor, output y: Tensor, scratch: inout Tensor,
                  dx: inout Tensor, needsInputGradient: Bool)
    /// The trainable tensors, in checkpoint order.
    var parameters: [Parameter] { get }
}

extension Layer {
    public func scratchCount(batchSize: Int) -> Int { 0 }
    public var parameters: [Parameter] { [] }
}

/// Checks a tensor's shape against what a layer expects, naming both in the failure.
@inline(__always)
func expectShape(_ tensor: Tensor, _ expected: [Int], _ what: @autoclosure () -> String) {
    precondition(tensor.shape == expected, "\(what()): expected shape \(expected), got \(tensor.shape)")
}
