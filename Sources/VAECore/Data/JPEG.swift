import CJPEGReader

/// JPEG files through libjpeg-turbo (the C target CJPEGReader): baseline and progressive,
/// grayscale and YCbCr, stood upright by their EXIF orientation, the header read and its size
/// checked against `ImageFile.maximumPixels` before any pixel is decoded.
///
/// Gray is the luma Y the file stores, which JPEG's YCbCr defines as 0.299 R + 0.587 G +
/// 0.114 B, the Rec. 601 weights PNG and Netpbm use, so a JPEG reads as its PNG does within
/// JPEG's loss. CMYK, YCCK, RGB-coded and unknown colour spaces are refused, as is a truncated
/// or corrupt file (libjpeg only warns about those and fills the missing pixels with grey).
///
/// When an image is to be fitted to a much smaller target, it is decoded at 1/2, 1/4 or 1/8 of
/// its size through libjpeg's DCT scaling (`scaleDenominator`), which skips most of the work.
enum JPEG {
    /// Whether `bytes` start like a JPEG file: SOI (FF D8) and the first marker's FF.
    static func recognises(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0xFF, 0xD8, 0xFF])
    }

    /// A decoded JPEG, upright.
    struct Image: Equatable {
        /// The decoded size (the file's, or less through DCT scaling).
        var width: Int
        var height: Int
        /// Bytes a pixel: 1 (gray) or 3 (RGB).
        var channels: Int
        /// `width * height * channels` samples, row by row.
        var samples: [UInt8]
        /// The size of the whole image, upright, before any DCT scaling.
        var fullWidth: Int
        var fullHeight: Int

        /// The samples as a picture: intensities (sample / 255), the channels made planes.
        var picture: Picture {
            let plane = width * height
            var pixels = [Float](repeating: 0, count: plane * channels)
            Dataset.intensityOfByte.withUnsafeBufferPointer { table in
                samples.withUnsafeBufferPointer { s in
                    pixels.withUnsafeMutableBufferPointer { out in
                        for i in 0..<plane {
                            for c in 0..<channels { out[c * plane + i] = table[Int(s[i * channels + c])] }
                        }
                    }
                }
            }
            return Picture(width: width, height: height, channels: channels, pixels: pixels)
        }
    }

    /// The DCT scaling for fitting an image to `target`: the largest of 8, 4 and 2 whose
    /// decoded size (`scaled`, at 1/1, 1/2, 1/4 and 1/8, upright) is at least the target on
    /// both sides, so that area averaging still makes the final fit; 1 when none is.
    static func scaleDenominator(scaled: [(width: Int, height: Int)], target: (width: Int, height: Int)) -> Int {
        precondition(scaled.count == 4, "sizes at 1/1, 1/2, 1/4 and 1/8")
        for k in [3, 2, 1] where scaled[k].width >= target.width && scaled[k].height >= target.height {
            return 1 << k
        }
        return 1
    }

    /// Decodes a JPEG with `channels` (1 or 3) bytes a pixel, or with nil as the file holds it (1
    /// for a grayscale JPEG, 3 for YCbCr); `file` names it in errors. With
    /// `target`, an upright size the image will be fitted to, decodes at the smallest DCT scale
    /// that keeps it at least that large. Allocates the decoded samples twice (once for an
    /// upright file), after `ImageFile.checkSize` has accepted the header's size, and libjpeg's
    /// buffers (see `latent_jpeg_decode`).
    static func decode(_ bytes: [UInt8], file: String, channels wanted: Int? = nil,
                       target: (width: Int, height: Int)? = nil) throws -> Image {
        precondition(wanted == nil || wanted == 1 || wanted == 3, "\(wanted!) channels")
        var message = [CChar](repeating: 0, count: 200)
        let header = try readHeader(bytes, file: file)
        let (width, height) = (Int(header.width), Int(header.height))
        let channels = wanted ?? (hasColour(header) ? 3 : 1)
        let orientation = ExifOrientation.of(jpeg: bytes)
        let widths = [header.scaled_width.0, header.scaled_width.1, header.scaled_width.2, header.scaled_width.3]
        let heights = [header.scaled_height.0, header.scaled_height.1, header.scaled_height.2, header.scaled_height.3]
        let scaled = zip(widths, heights).map { w, h in
            orientation.swapsSides ? (width: Int(h), height: Int(w)) : (width: Int(w), height: Int(h))
        }
        let denominator = target.map { scaleDenominator(scaled: scaled, target: $0) } ?? 1
        let k = denominator.trailingZeroBitCount
        let (outWidth, outHeight) = (Int(widths[k]), Int(heights[k]))
        // libjpeg rounds each side up: never more than the whole image, never empty.
        guard (1...width).contains(outWidth), (1...height).contains(outHeight) else {
            throw DataError(file: file, "unreadable JPEG (scaled to \(outWidth)x\(outHeight) from \(width)x\(height))")
        }
        let count = outWidth * outHeight * channels  // at most 3 * maximumPixels
        var decoded: Int32 = 0
        let samples = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            decoded = bytes.withUnsafeBufferPointer { input in
                latent_jpeg_decode(input.baseAddress, input.count, Int32(denominator), Int32(channels),
                                   buffer.baseAddress, buffer.count, &message, message.count)
            }
            // Bytes need no deinitialising, so a failed read can leave them as they are.
            initialized = count
        }
        guard decoded != 0 else { throw DataError(file: file, "truncated or corrupt JPEG (\(text(message)))") }
        let upright = orientation.upright(samples, width: outWidth, height: outHeight, channels: channels)
        return orientation.swapsSides
            ? Image(width: outHeight, height: outWidth, channels: channels, samples: upright, fullWidth: height, fullHeight: width)
            : Image(width: outWidth, height: outHeight, channels: channels, samples: upright, fullWidth: width, fullHeight: height)
    }

    /// The header of a JPEG that latent reads (gray or YCbCr, of at most
    /// `ImageFile.maximumPixels`), or the one-line refusal of any other. Decodes no pixel.
    static func readHeader(_ bytes: [UInt8], file: String) throws -> latent_jpeg_header {
        var message = [CChar](repeating: 0, count: 200)
        var header = latent_jpeg_header()
        let readHeader = bytes.withUnsafeBufferPointer { input in
            latent_jpeg_read_header(input.baseAddress, input.count, &header, &message, message.count)
        }
        guard readHeader != 0 else { throw DataError(file: file, "unreadable JPEG (\(text(message)))") }
        try ImageFile.checkSize(width: Int(header.width), height: Int(header.height), file: file)
        switch header.color_space {
        case Int32(LATENT_JPEG_GRAY.rawValue), Int32(LATENT_JPEG_YCBCR.rawValue):
            break
        case Int32(LATENT_JPEG_CMYK.rawValue), Int32(LATENT_JPEG_YCCK.rawValue):
            let kind = header.color_space == Int32(LATENT_JPEG_CMYK.rawValue) ? "CMYK" : "YCCK (Adobe CMYK)"
            throw DataError(file: file, "a \(kind) JPEG, which latent does not read; save it as an RGB JPEG or a PNG")
        case Int32(LATENT_JPEG_RGB.rawValue):
            throw DataError(file: file, "a JPEG stored as RGB rather than YCbCr, which latent does not read; save it as an ordinary JPEG or a PNG")
        default:
            throw DataError(file: file, "a JPEG of \(header.components) components in an unknown colour space, which latent does not read; save it as an RGB JPEG or a PNG")
        }
        return header
    }

    /// Whether the JPEG whose header this is holds colour (YCbCr) rather than gray.
    static func hasColour(_ header: latent_jpeg_header) -> Bool {
        header.color_space != Int32(LATENT_JPEG_GRAY.rawValue)
    }

    private static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
