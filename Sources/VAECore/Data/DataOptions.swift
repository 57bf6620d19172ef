/// How a data source's images are made into a data set: the size and channels wanted, and how
/// images of another shape are fitted. A field left nil is the source's own choice: for an
/// image folder, colour when any image has colour and the images' own size when they share one
/// of at most 64 pixels a side, 28 for gray (see `ImageFolder`); for sprites, 32 and colour. Fixed sets
/// (Fashion-MNIST, IDX files, synthetic digits) are what they are, whatever is asked.
public struct DataOptions: Equatable, Sendable {
    /// Side of the square images, in pixels.
    public var size: Int?
    /// 1 for gray, 3 for colour (red, green and blue planes).
    public var channels: Int?
    /// How images of another aspect are made square.
    public var fit: ImageFit
    /// Whether gray images drawn dark on light are inverted (see `ImageFile.Inversion`);
    /// colour images never are.
    public var inversion: ImageFile.Inversion

    public init(size: Int? = nil, channels: Int? = nil, fit: ImageFit = .crop, inversion: ImageFile.Inversion = .automatic) {
        precondition(channels == nil || channels == 1 || channels == 3, "1 or 3 channels, not \(channels!)")
        self.size = size
        self.channels = channels
        self.fit = fit
        self.inversion = inversion
    }

    /// The options that load data for a model of `shape` (square), fitted by `fit`.
    public static func matching(_ shape: ImageShape, fit: ImageFit = .crop) -> DataOptions {
        DataOptions(size: shape.height == shape.width ? shape.height : nil,
                    channels: shape.channels == 1 || shape.channels == 3 ? shape.channels : nil, fit: fit)
    }
}
