import ArgumentParser
import Foundation
import VAECore

/// `latent export-data`: any data spec as one .safetensors file for PyTorch.
struct ExportData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-data",
        abstract: "Write a data set (any --data latent reads) as one .safetensors file for PyTorch.",
        discussion: """
            The file holds train.images and test.images (uint8 [N, C, H, W], 0 black, 255 white, \
            latent's own train/test split), train.labels and test.labels (int64 [N]) when the set \
            is labelled, and in its metadata latent.data (the spec), latent.image (CxHxW) and \
            latent.classes (a JSON list of class names). The Python companion's \
            latent_torch.data reads it: every data spec, image folders included, reaches PyTorch \
            this one way.

            Example:
              latent export-data --data sprites --out sprites.safetensors
              latent export-data --data ~/photos --size 64 --out photos.safetensors
            """)

    @Option(help: "Data: fashion-mnist, synthetic[:COUNT[:SEED]], sprites[:COUNT[:SEED]], or a directory of IDX files or of PNG/JPEG/PGM/PPM images.")
    var data: String = "fashion-mnist"

    @OptionGroup var reading: ImageReadingOptions

    @Option(help: "File to write (.safetensors); its folder must exist.")
    var out: String

    @OptionGroup var compute: ComputeOptions

    func run() throws {
        try reading.check(data: data)
        try OutputPath.checkCheckpoint(out)
        // --threads bounds the threads that read a folder's images.
        try compute.apply()
        let split = try Console.loading(data) {
            try DataChoice(flag: data).load(options: reading.options(size: reading.size, fit: reading.fit ?? .crop))
        }
        let shape = split.shape
        func tensors(_ set: Dataset, _ part: String) -> [Safetensors.RawTensor] {
            var result = [Safetensors.RawTensor(name: "\(part).images", dtype: "U8",
                                                shape: [set.count, shape.channels, shape.height, shape.width], bytes: set.pixels)]
            if let labels = set.labels {
                var bytes = [UInt8]()
                bytes.reserveCapacity(8 * labels.count)
                for label in labels { withUnsafeBytes(of: Int64(label).littleEndian) { bytes.append(contentsOf: $0) } }
                result.append(Safetensors.RawTensor(name: "\(part).labels", dtype: "I64", shape: [labels.count], bytes: bytes))
            }
            return result
        }
        let classes = String(decoding: try JSONSerialization.data(withJSONObject: split.train.labels == nil ? [] : split.train.classNames),
                              as: UTF8.self)
        let bytes = try Safetensors.encode(raw: tensors(split.train, "train") + tensors(split.test, "test"), metadata: [
            "latent.data": data, "latent.image": "\(shape.channels)x\(shape.height)x\(shape.width)", "latent.classes": classes,
        ])
        try AtomicFile.write(bytes, to: out)
        Console.line("wrote \(out): \(split.train.count) training and \(split.test.count) test images of \(shape)")
    }
}
