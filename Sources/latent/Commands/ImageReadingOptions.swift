import ArgumentParser
import VAECore

/// How a folder of images (or sprites) is read: the flags `train` and `export-data` share.
struct ImageReadingOptions: ParsableArguments {
    @Option(help: "Side in pixels every image of a folder (or sprites: 32 or 64) is fitted to (default: the architecture's; else for colour images their own size when they share one of at most 64, else 64, and 28 for gray).")
    var size: Int?

    @Option(help: "Read an image folder (or sprites) as rgb or gray (default: rgb when any image has colour).")
    var color: ColorChoice?

    @Option(help: "How images of a folder that are not square are fitted: crop (the centre square) or pad (default: crop; with --resume, the checkpoint's).")
    var fit: ImageFit?

    /// Refuses a size no data takes, and one sprites are not drawn at, before anything is read.
    func check(data: String?) throws {
        if let size, !(1...Architecture.maximumImageSide).contains(size) {
            throw UsageError("--size must be from 1 to \(Architecture.maximumImageSide), got \(size)")
        }
        let spec = try? DataSpec(parsing: data ?? "fashion-mnist")
        if let size, case .sprites? = spec, !Sprites.sizes.contains(size) {
            throw UsageError("--size \(size): sprites are drawn at 32 or 64 pixels a side")
        }
        switch spec {
        case .fashionMNIST?, .idxDirectory?, .synthetic?:
            // Their images are what they are: say so rather than ignore the flag.
            if size != nil || color != nil {
                throw UsageError("\(size != nil ? "--size" : "--color") applies to image folders and sprites; fashion-mnist, synthetic digits and IDX files are read as they are, gray at their own size")
            }
        default:
            break
        }
    }

    /// The options these flags ask for, with `size` and `fit` decided by the caller.
    func options(size: Int?, fit: ImageFit) -> DataOptions {
        DataOptions(size: size, channels: color?.channels, fit: fit)
    }
}

/// Whether an image folder (or sprites) is read in colour or gray.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case rgb, gray

    var channels: Int { self == .rgb ? 3 : 1 }
}
