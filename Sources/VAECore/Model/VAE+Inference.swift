import CKernels

/// The encoder's Gaussian for a set of images: row i holds image i's parameters.
public struct Encoding: Sendable {
    /// Posterior means, [N, L].
    public var zMean: Tensor
    /// Posterior log-variances, [N, L] (zeros for a plain autoencoder).
    public var zLogVar: Tensor
}

extension VAE {
    /// Images are processed in chunks of at most this many, bounding the buffers inference keeps.
    static let inferenceChunk = 256
    /// And no chunk makes one layer output more than this many values (1 GiB of floats), so a
    /// wide model takes smaller chunks.
    static let maximumChunkValues = 1 << 28

    /// Calls `body(start, n, images)` for consecutive chunks of at most `inferenceChunk` images.
    func forEachChunk(of images: UnsafeBufferPointer<Float>, count: Int,
                      _ body: (_ start: Int, _ n: Int, _ chunk: UnsafeBufferPointer<Float>) -> Void) {
        let d = pixelCount
        precondition(images.count == count * d, "expected \(count) x \(d) values, got \(images.count)")
        let widest = max(1, LayerPlan(configuration).largestOutput.values)
        let chunk = max(1, min(VAE.inferenceChunk, VAE.maximumChunkValues / widest))
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            body(start, n, UnsafeBufferPointer(rebasing: images[(start * d)..<((start + n) * d)]))
            start += n
        }
    }

    /// Encodes `count` images [N, D] to their posterior means and log-variances.
    public func encode(images: UnsafeBufferPointer<Float>, count: Int) -> Encoding {
        let l = latentSize
        var zMean = Tensor(zeros: [count, l])
        var zLogVar = Tensor(zeros: [count, l])
        forEachChunk(of: images, count: count) { start, n, x in
            let b = buffers(batchSize: n)
            encode(x, batchSize: n, into: b)
            zMean.storage.replaceSubrange((start * l)..<((start + n) * l), with: b.zMean.storage)
            if logVarHead != nil {
                zLogVar.storage.replaceSubrange((start * l)..<((start + n) * l), with: b.zLogVar.storage)
            }
        }
        return Encoding(zMean: zMean, zLogVar: zLogVar)
    }

    /// Encodes the images of a tensor [N, ...].
    public func encode(_ images: Tensor) -> Encoding {
        images.storage.withUnsafeBufferPointer { encode(images: $0, count: images.rows) }
    }

    /// Decodes latent points [N, L] to pixel means in [0, 1], [N, D]: sigmoid of the logits.
    ///
    /// For one point this costs one decoder pass on buffers kept from the previous call:
    /// cheap enough to run on every key press.
    public func decode(_ z: Tensor) -> Tensor {
        let (d, l) = (pixelCount, latentSize)
        precondition(z.rowSize == l, "latent points have \(z.rowSize) values, the model's latent size is \(l)")
        let count = z.rows
        var out = Tensor(zeros: [count, d])
        var start = 0
        while start < count {
            let n = min(VAE.inferenceChunk, count - start)
            let ws = z.storage.withUnsafeBufferPointer {
                decoder.forward(UnsafeBufferPointer(rebasing: $0[(start * l)..<((start + n) * l)]), batchSize: n)
            }
            ws.output.storage.withUnsafeBufferPointer { logits in
                out.storage.withUnsafeMutableBufferPointer { o in
                    lk_sigmoid(logits.baseAddress!, o.baseAddress! + start * d, n * d)
                }
            }
            start += n
        }
        return out
    }

    /// Decodes one latent point to its image's pixel means.
    public func decode(point: [Float]) -> [Float] {
        decode(Tensor(shape: [1, point.count], storage: point)).storage
    }

    /// Reconstructs images [N, D] through their posterior means: the pixel means of the
    /// deterministic `forward` pass, sigmoid(decoder(zMean)).
    public func reconstruct(_ images: Tensor) -> Tensor {
        let d = pixelCount
        var out = Tensor(zeros: [images.rows, d])
        images.storage.withUnsafeBufferPointer { x in
            out.storage.withUnsafeMutableBufferPointer { o in
                forEachChunk(of: x, count: images.rows) { start, n, chunk in
                    forward(batch: chunk, batchSize: n).logits.storage.withUnsafeBufferPointer { logits in
                        lk_sigmoid(logits.baseAddress!, o.baseAddress! + start * d, n * d)
                    }
                }
            }
        }
        return out
    }
}
