import Foundation

/// One end of an interpolation: its name, its image and its posterior mean.
public struct InterpolationEnd: Sendable {
    /// What to call the end: a caption (`#42 Sneaker`) or a file name.
    public var name: String
    /// Its pixels, fitted to the model's input.
    public var image: [Float]
    /// The posterior mean `zMean` of the image, where paths start and end.
    public var latent: [Float]

    public init(name: String, image: [Float], latent: [Float]) {
        self.name = name
        self.image = image
        self.latent = latent
    }

    /// An image (already fitted to the model's input size) and its encoding by `model`.
    public init(name: String, image: [Float], model: VAE) {
        let encoding = model.encode(Tensor(shape: [1, image.count], storage: image))
        self.init(name: name, image: image, latent: encoding.zMean.storage)
    }

    /// An image file read, fitted to `model`'s input, gray or colour, by `fit` and `inversion`
    /// (see `ImageFile.prepared`) and encoded, named by its file name.
    public init(file path: String, model: VAE, fit: ImageFit, inversion: ImageFile.Inversion) throws {
        let shape = model.configuration.architecture.image
        guard shape.channels == 1 || shape.channels == 3 else {
            throw DataError(file: path, "the model takes images of \(shape.channels) channels; image files are gray or colour (1 or 3)")
        }
        let read = try ImageFile.read(path: path, toFitWidth: shape.width, height: shape.height)
        let image = ImageFile.prepared(read.picture, for: shape, fit: fit, inversion: inversion)
        self.init(name: URL(fileURLWithPath: path).lastPathComponent, image: image, model: model)
    }
}
