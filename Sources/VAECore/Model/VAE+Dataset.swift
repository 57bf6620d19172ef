/// Inference over a whole `Dataset`, whose bytes become intensities a chunk at a time, so that a
/// large set never exists as floats all at once.
extension VAE {
    /// Images made intensities at a time by the methods below.
    static let datasetChunk = 1024

    /// `scores(images:count:rng:)` of every image of `dataset`.
    public func scores(of dataset: Dataset, rng: inout RandomGenerator) -> ImageScores {
        var result = ImageScores(reconstruction: [], kl: [])
        dataset.forEachChunk(of: VAE.datasetChunk) { _, n, x in
            let chunk = scores(images: x, count: n, rng: &rng)
            result.reconstruction += chunk.reconstruction
            result.kl += chunk.kl
        }
        return result
    }

    /// The encoder's Gaussian for every image of `dataset`.
    public func encode(_ dataset: Dataset) -> Encoding {
        let l = latentSize
        var zMean = Tensor(zeros: [dataset.count, l]), zLogVar = Tensor(zeros: [dataset.count, l])
        dataset.forEachChunk(of: VAE.datasetChunk) { start, n, x in
            let chunk = encode(images: x, count: n)
            zMean.storage.replaceSubrange((start * l)..<((start + n) * l), with: chunk.zMean.storage)
            zLogVar.storage.replaceSubrange((start * l)..<((start + n) * l), with: chunk.zLogVar.storage)
        }
        return Encoding(zMean: zMean, zLogVar: zLogVar)
    }

    /// `importanceWeightedBound(images:...)` of every image of `dataset`; `progress` hears the
    /// images done over the whole set.
    public func importanceWeightedBound(of dataset: Dataset, samples: Int, rng: inout RandomGenerator,
                                        progress: ((Int) -> Void)? = nil, shouldStop: (() -> Bool)? = nil) -> [Double]? {
        var bounds: [Double] = []
        bounds.reserveCapacity(dataset.count)
        var stopped = false
        dataset.forEachChunk(of: VAE.datasetChunk) { start, n, x in
            guard !stopped else { return }
            let chunk = importanceWeightedBound(images: x, count: n, samples: samples, rng: &rng,
                                                progress: progress.map { report in { report(start + $0) } },
                                                shouldStop: shouldStop)
            guard let chunk else {
                stopped = true
                return
            }
            bounds += chunk
        }
        return stopped ? nil : bounds
    }
}
