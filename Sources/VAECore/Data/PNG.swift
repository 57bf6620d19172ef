import CPNGReader

/// PNG files read as stored sample values, through libpng's full API (the C target
/// CPNGReader): any colour type, bit depth or interlacing, the header first so that the size is
/// checked before any pixel is decoded.
///
/// A sample reads as its value over its maximum (255, or 65535 for 16 bits), as PIL and
/// torchvision read it: a 16-bit 50% grey is 0.5, and gAMA, sRGB and iCCP chunks change
/// nothing. Colour becomes grey by the Rec. 601 weights Netpbm uses, rounding the same way, so a
/// PNG and a PPM of one picture read alike. Alpha and tRNS transparency are ignored, not composed
/// on a background: a transparent pixel reads as the colour stored under it.
enum PNG {
    /// Whether `bytes` start like a PNG file (the first four bytes of the signature).
    static func recognises(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x89, 0x50, 0x4E, 0x47])
    }

    /// Decodes a PNG as grayscale; `file` names it in errors. Allocates the `width * height`
    /// intensities and one row of samples (every row when interlaced), after
    /// `ImageFile.checkSize` has accepted the header's size.
    static func parse(_ bytes: [UInt8], file: String) throws -> ImageFile.Gray {
        var message = [CChar](repeating: 0, count: 200)
        var header = latent_png_header()
        let readHeader = bytes.withUnsafeBufferPointer { input in
            latent_png_read_header(input.baseAddress, input.count, &header, &message, message.count)
        }
        guard readHeader != 0 else { throw DataError(file: file, "unreadable PNG (\(text(message)))") }
        let (width, height) = (Int(header.width), Int(header.height))
        try ImageFile.checkSize(width: width, height: height, file: file)
        var decoded: Int32 = 0
        let pixels = [Float](unsafeUninitializedCapacity: width * height) { gray, count in
            decoded = bytes.withUnsafeBufferPointer { input in
                latent_png_read_gray(input.baseAddress, input.count, gray.baseAddress, gray.count, &message, message.count)
            }
            // Floats need no deinitialising, so a failed read can leave them as they are.
            count = gray.count
        }
        guard decoded != 0 else { throw DataError(file: file, "truncated or corrupt PNG (\(text(message)))") }
        return ImageFile.Gray(width: width, height: height, pixels: pixels)
    }

    private static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
