import CJPEGWriter
import CPNG
import Foundation

/// A picture to save: gray or colour, one plane per channel (red, green, blue: PyTorch's
/// layout of an image), values in [0, 1] (0 black). Written as PNG, JPEG, PGM or PPM.
public struct Picture: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// 1 (gray) or 3 (red, green, blue).
    public var channels: Int
    /// `channels` planes of `width` x `height` values, row-major.
    public var pixels: [Float]

    public init(width: Int, height: Int, channels: Int, pixels: [Float]) {
        precondition(channels == 1 || channels == 3, "pictures have 1 or 3 channels, not \(channels)")
        precondition(pixels.count == width * height * channels, "\(pixels.count) values for a \(channels)x\(width)x\(height) picture")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The luminance of an sRGB colour (channels in [0, 1]) by Rec. 709's weights: how colour
    /// pictures are made gray when they are written or drawn without colour.
    public static func luminance(red: Float, green: Float, blue: Float) -> Float {
        0.2126 * red + 0.7152 * green + 0.0722 * blue
    }

    /// A gray image as a picture.
    public init(_ gray: ImageFile.Gray) {
        self.init(width: gray.width, height: gray.height, channels: 1, pixels: gray.pixels)
    }

    /// Images of `shape` laid out in a grid with `gap` pixels of mid-grey between them, each
    /// pixel enlarged `scale` times (sample grids, interpolation strips). The picture,
    /// `ImageFile.tiledSize(...)`, must have at most `ImageFile.maximumPixels` (a precondition):
    /// callers refuse larger ones before they decode anything.
    public static func tiled(_ images: [[Float]], shape: ImageShape, columns: Int, scale: Int = 1, gap: Int = 2) -> Picture {
        let (width, height) = (shape.width, shape.height)
        let (outW, outH) = ImageFile.tiledSize(count: images.count, width: width, height: height, columns: columns, scale: scale, gap: gap)
        let (area, overflow) = outW.multipliedReportingOverflow(by: outH)
        precondition(!overflow && area <= ImageFile.maximumPixels, "a \(outW)x\(outH) picture is more than \(ImageFile.maximumPixels) pixels")
        let (tileW, tileH) = (width * scale, height * scale)
        let (plane, outPlane) = (width * height, area)
        var pixels = [Float](repeating: 0.5, count: area * shape.channels)
        pixels.withUnsafeMutableBufferPointer { out in
            for (i, image) in images.enumerated() {
                precondition(image.count == shape.pixelCount, "tile \(i) has \(image.count) values, not \(shape)")
                let (left, top) = (gap + (i % columns) * (tileW + gap), gap + (i / columns) * (tileH + gap))
                image.withUnsafeBufferPointer { tile in
                    for channel in 0..<shape.channels {
                        for y in 0..<tileH {
                            let row = channel * outPlane + (top + y) * outW + left, source = channel * plane + (y / scale) * width
                            for x in 0..<tileW { out[row + x] = tile[source + x / scale] }
                        }
                    }
                }
            }
        }
        return Picture(width: outW, height: outH, channels: shape.channels, pixels: pixels)
    }

    /// 8-bit levels, interleaved by pixel (gray, or red, green, blue), clamped to [0, 1] (NaN as 0).
    func interleavedBytes() -> [UInt8] {
        let plane = width * height
        var bytes = [UInt8](repeating: 0, count: plane * channels)
        for i in 0..<plane {
            for channel in 0..<channels {
                let value = pixels[channel * plane + i]
                bytes[i * channels + channel] = UInt8((min(max(value.isNaN ? 0 : value, 0), 1) * 255).rounded())
            }
        }
        return bytes
    }

    /// The picture as PNG bytes (gray or RGB).
    public func pngData() throws -> [UInt8] {
        let bytes = interleavedBytes()
        var png = latent_png_image()
        png.width = png_uint_32(width)
        png.height = png_uint_32(height)
        var size: png_alloc_size_t = 0
        let channels = Int32(self.channels)
        func message() -> String { withUnsafeBytes(of: png.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } }
        guard bytes.withUnsafeBytes({ latent_png_write(&png, nil, &size, $0.baseAddress!, channels) }) != 0 else {
            throw DataError("PNG encoding failed: \(message())")
        }
        var out = [UInt8](repeating: 0, count: Int(size))
        let ok = out.withUnsafeMutableBytes { buffer in
            bytes.withUnsafeBytes { latent_png_write(&png, buffer.baseAddress!, &size, $0.baseAddress!, channels) }
        }
        guard ok != 0 else { throw DataError("PNG encoding failed: \(message())") }
        return Array(out.prefix(Int(size)))
    }

    /// The picture as a baseline JPEG of `quality` (gray or RGB), through libjpeg.
    public func jpegData(quality: Int = 92) throws -> [UInt8] {
        let bytes = interleavedBytes()
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 200)
        let ok = bytes.withUnsafeBufferPointer { pixels in
            latent_jpeg_encode(pixels.baseAddress, Int32(width), Int32(height), Int32(channels), Int32(quality),
                               &out, &size, &message, message.count)
        }
        guard ok != 0, let out else {
            throw DataError("JPEG encoding failed: \(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }

    /// A binary PGM (P5: gray, a colour picture by its luminance) or PPM (P6: colour, a gray
    /// picture's grey in all three channels).
    public func netpbmData(colour: Bool) -> [UInt8] {
        var header = Array("\(colour ? "P6" : "P5")\n\(width) \(height)\n255\n".utf8)
        let plane = width * height
        let source: Picture
        switch (colour, channels) {
        case (true, 1):
            source = Picture(width: width, height: height, channels: 3, pixels: pixels + pixels + pixels)
        case (false, 3):
            source = Picture(width: width, height: height, channels: 1, pixels: (0..<plane).map { i in
                Picture.luminance(red: pixels[i], green: pixels[plane + i], blue: pixels[2 * plane + i])
            })
        default:
            source = self
        }
        header += source.interleavedBytes()
        return header
    }

    /// Writes the picture atomically as PNG, JPEG, PGM or PPM, as the extension of `path` says.
    public func write(to path: String) throws {
        let bytes: [UInt8]
        switch try ImageFile.Format(path: path) {
        case .png: bytes = try pngData()
        case .jpg, .jpeg: bytes = try jpegData()
        case .pgm: bytes = netpbmData(colour: false)
        case .ppm: bytes = netpbmData(colour: true)
        }
        try AtomicFile.write(bytes, to: path)
    }
}
