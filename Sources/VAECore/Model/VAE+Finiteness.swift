/// Checks that a model's weights are all finite numbers.
extension VAE {
    /// The name of the first parameter (in `parameters` order) holding NaN or an infinity, or
    /// nil when every weight is finite. A trainer can call it after a step to catch a diverged
    /// model before it is saved; `Checkpoint.save` calls it and refuses such a model.
    /// - Complexity: one pass over the weights on unsafe buffers; allocates nothing.
    public var firstNonFiniteParameter: String? {
        parameters.first { !$0.value.storage.isAllFinite }?.name
    }
}

extension Array where Element == Float {
    /// True when no element is NaN or ±inf. Reads the exponent bits: a Float is non-finite
    /// exactly when all eight are set. The largest exponent field is kept with an integer `max`,
    /// a reduction the compiler vectorises (an early exit per element would stop it).
    var isAllFinite: Bool {
        withUnsafeBufferPointer { values in
            let exponentMask: UInt32 = 0x7F80_0000
            var largest: UInt32 = 0
            for value in values { largest = Swift.max(largest, value.bitPattern & exponentMask) }
            return largest != exponentMask
        }
    }
}
