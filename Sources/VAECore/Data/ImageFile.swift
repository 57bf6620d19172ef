import CPNG
import Foundation

/// Single image files (PNG through libpng, JPEG through libjpeg-turbo, PGM and PPM), read as
/// grayscale and fitted to a model.
public enum ImageFile {
    /// A grayscale image with intensities in [0, 1].
    public struct Gray: Equatable, Sendable {
        public var width: Int
        public var height: Int
        public var pixels: [Float]

        /// `pixels` row by row, `width * height` of them.
        public init(width: Int, height: Int, pixels: [Float]) {
            precondition(pixels.count == width * height, "\(pixels.count) pixels for \(width)x\(height)")
            (self.width, self.height, self.pixels) = (width, height, pixels)
        }
    }

    /// Whether to invert an image so it matches training data drawn light on dark.
    public enum Inversion: String, Sendable, CaseIterable {
        /// Invert when the border is mostly light (a dark drawing on a light background).
        case automatic
        case always
        case never
    }

    /// The most pixels latent reads from one image file: 1 << 26 = 67,108,864, a square of
    /// 8192 x 8192. Every image reader (PNG, JPEG, PGM and PPM, and any added later) checks the size its
    /// header declares against it with `checkSize(width:height:file:)` before it allocates or
    /// decodes anything, so that a small file declaring a huge picture (a decompression bomb: a
    /// 48 KB PNG can declare 20000 x 20000) is refused at once. The largest image read takes
    /// 256 MiB as intensities.
    public static let maximumPixels = 1 << 26

    /// Refuses a declared size with no pixels, or with more than `maximumPixels`, naming `file`.
    public static func checkSize(width: Int, height: Int, file: String) throws {
        guard width >= 1, height >= 1 else {
            throw DataError(file: file, "\(width)x\(height) pixels: the image is empty")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maximumPixels else {
            let side = Int(Double(maximumPixels).squareRoot())
            throw DataError(file: file, "\(width)x\(height) pixels is more than the \(maximumPixels) (\(side)x\(side)) latent reads; scale the image down first")
        }
    }

    /// The largest image file read: 2 GiB, more than any file of at most `maximumPixels`
    /// pixels needs (a plain-text PPM of 16-bit samples takes about 1.2 GB).
    public static let maximumFileSize = 1 << 31

    /// Reads a PNG (any colour type, depth or interlacing), a JPEG (baseline or progressive,
    /// grayscale or YCbCr, stood upright by its EXIF orientation), a PGM or a PPM as grayscale
    /// (see `PNG`, `JPEG` and `Netpbm` for how samples become intensities, and `grayscale` for
    /// colour), refusing images of more than `maximumPixels` before decoding them. The format is
    /// known by the file's first bytes, whatever its name.
    public static func read(path: String) throws -> Gray {
        grayscale(try read(path: path, target: nil).picture)
    }

    /// An image read to be fitted to a smaller size: its pixels, which a JPEG may have been
    /// decoded to fewer of (DCT scaling), and the size of the whole image.
    public struct Reduced: Sendable {
        /// As stored (gray or colour), at least the size asked for in both sides, or the whole
        /// image when that is smaller.
        public var picture: Picture
        /// The size of the whole image (upright, for a JPEG): what the file holds.
        public var fullWidth: Int
        public var fullHeight: Int

        /// The picture as grayscale (`ImageFile.grayscale`).
        public var image: Gray { ImageFile.grayscale(picture) }
    }

    /// Reads an image as stored (gray for gray files, colour otherwise), for fitting to
    /// `width` x `height` (by `ImageFit`): a JPEG much larger than that is decoded at 1/2, 1/4
    /// or 1/8 of its size, the smallest that keeps it at least `width` x `height`, which for a
    /// folder of photos fitted to 64x64 skips most of the decoding. Other formats are read whole.
    public static func read(path: String, toFitWidth width: Int, height: Int) throws -> Reduced {
        precondition(width >= 1 && height >= 1, "fitting to \(width)x\(height)")
        return try read(path: path, target: (width, height))
    }

    /// A picture as grayscale: a gray one as it is, a colour one by Rec. 601 luma
    /// (`Netpbm.luma`), the weights of JPEG's Y and of PIL's convert("L").
    public static func grayscale(_ picture: Picture) -> Gray {
        guard picture.channels == 3 else { return Gray(width: picture.width, height: picture.height, pixels: picture.pixels) }
        let plane = picture.width * picture.height
        let pixels = picture.pixels.withUnsafeBufferPointer { p in
            (0..<plane).map { Netpbm.luma(red: p[$0], green: p[plane + $0], blue: p[2 * plane + $0]) }
        }
        return Gray(width: picture.width, height: picture.height, pixels: pixels)
    }

    /// What an image file's header declares: its size as stored (before any EXIF turn; the
    /// shorter side is the same either way) and whether it holds colour (3 channels) or gray
    /// (1). Decodes no pixel of a PNG or a JPEG, and refuses what `read` would refuse of them
    /// by their header: a bad size, CMYK, a file that is no image.
    public static func header(path: String) throws -> (width: Int, height: Int, channels: Int) {
        let bytes = try FileBytes.read(path, expected: "an image file", maximumSize: maximumFileSize)
        if PNG.recognises(bytes) { return try PNG.size(bytes, file: path) }
        if JPEG.recognises(bytes) {
            let header = try JPEG.readHeader(bytes, file: path)
            return (Int(header.width), Int(header.height), JPEG.hasColour(header) ? 3 : 1)
        }
        if Netpbm.recognises(bytes) {
            let picture = try Netpbm.parse(bytes, file: path)
            return (picture.width, picture.height, picture.channels)
        }
        throw notAnImage(path)
    }

    private static func notAnImage(_ path: String) -> DataError {
        let ext = (path as NSString).pathExtension.lowercased()
        if ext == "jpg" || ext == "jpeg" {
            return DataError(file: path, "not a JPEG image (a JPEG starts with the bytes FF D8 FF)")
        }
        return DataError(file: path, "not a PNG, JPEG, PGM or PPM image")
    }

    private static func read(path: String, target: (width: Int, height: Int)?) throws -> Reduced {
        let bytes = try FileBytes.read(path, expected: "an image file", maximumSize: maximumFileSize)
        let picture: Picture
        if PNG.recognises(bytes) {
            picture = try PNG.parse(bytes, file: path)
        } else if JPEG.recognises(bytes) {
            let decoded = try JPEG.decode(bytes, file: path, target: target)
            return Reduced(picture: decoded.picture, fullWidth: decoded.fullWidth, fullHeight: decoded.fullHeight)
        } else if Netpbm.recognises(bytes) {
            picture = try Netpbm.parse(bytes, file: path)
        } else {
            throw notAnImage(path)
        }
        return Reduced(picture: picture, fullWidth: picture.width, fullHeight: picture.height)
    }

    /// The file formats pictures are written in, chosen by the file name's extension.
    public enum Format: String, CaseIterable, Sendable {
        case png, jpg, jpeg, pgm, ppm

        /// The format `path` names, or an error naming the file and the extensions known.
        public init(path: String) throws {
            let ext = (path as NSString).pathExtension.lowercased()
            guard let format = Format(rawValue: ext) else {
                throw DataError(file: path, "cannot write \(ext.isEmpty ? "a file without an extension" : ".\(ext) files"); name it .png, .jpg, .pgm or .ppm")
            }
            self = format
        }
    }

    /// Writes a grayscale image atomically as PNG, PGM or PPM, as the extension of `path` says.
    public static func write(_ image: Gray, to path: String) throws {
        try Picture(image).write(to: path)
    }

    /// The size of the picture `Picture.tiled` makes of `count` images of `width` x `height` in
    /// `columns` columns: check it against `maximumPixels` before decoding the images.
    /// Overflows an `Int` only for sizes far beyond any command's bounds (images of at most
    /// `Architecture.maximumImageSide`, thousands of tiles, a scale of tens).
    public static func tiledSize(count: Int, width: Int, height: Int, columns: Int, scale: Int = 1,
                                 gap: Int = 2) -> (width: Int, height: Int) {
        precondition(count >= 0 && columns >= 1 && scale >= 1, "bad layout")
        let rows = (count + columns - 1) / columns
        return (columns * width * scale + (columns + 1) * gap, rows * height * scale + (rows + 1) * gap)
    }

    /// The picture fitted to `shape`, with `shape`'s channels: a colour picture made gray by
    /// `grayscale` for a gray shape, a gray one repeated in red, green and blue for a colour
    /// shape. Gray results are made as `prepared(_ image: Gray, ...)` makes them, inverted by
    /// `inversion`; colour ones are never inverted (photographs are not drawings on paper).
    public static func prepared(_ picture: Picture, for shape: ImageShape, fit: ImageFit,
                                inversion: Inversion = .automatic) -> [Float] {
        precondition(shape.channels == 1 || shape.channels == 3, "images have 1 or 3 channels, not \(shape.channels)")
        guard shape.channels == 3 else {
            return prepared(grayscale(picture), for: shape, fit: fit, inversion: inversion)
        }
        let plane = picture.width * picture.height
        let planes = (0..<picture.channels).map { c in
            fit.resized(Gray(width: picture.width, height: picture.height,
                             pixels: Array(picture.pixels[(c * plane)..<((c + 1) * plane)])),
                        toWidth: shape.width, toHeight: shape.height)
        }
        return picture.channels == 3 ? planes.flatMap { $0 } : planes[0] + planes[0] + planes[0]
    }

    /// The image fitted to `shape`: cropped or letterboxed to its aspect and resized by area
    /// averaging (see `ImageFit`) and, by `inversion`, inverted so that it is light on dark as
    /// the training data are.
    public static func prepared(_ image: Gray, for shape: ImageShape, fit: ImageFit,
                                inversion: Inversion = .automatic) -> [Float] {
        precondition(shape.channels == 1, "a gray image is fitted to a gray shape; use prepared(_: Picture, ...)")
        var pixels = fit.resized(image, toWidth: shape.width, toHeight: shape.height)
        let invert: Bool
        switch inversion {
        case .always: invert = true
        case .never: invert = false
        case .automatic:
            // The border's mean: a light frame means a dark drawing on paper.
            let (w, h) = (shape.width, shape.height)
            var border: [Float] = []
            for x in 0..<w { border.append(pixels[x]); border.append(pixels[(h - 1) * w + x]) }
            for y in 0..<h { border.append(pixels[y * w]); border.append(pixels[y * w + w - 1]) }
            invert = border.reduce(0, +) / Float(border.count) > 0.5
        }
        if invert { pixels = pixels.map { 1 - $0 } }
        return pixels
    }
}
