import CPNGReader

/// PNG files read as stored sample values, through libpng's full API (the C target
/// CPNGReader): any colour type, bit depth or interlacing, the header first so that the size is
/// checked before any pixel is decoded.
///
/// A sample reads as its value over its maximum (255, or 65535 for 16 bits), as PIL and
/// torchvision read it: a 16-bit 50% grey is 0.5, and gAMA, sRGB and iCCP chunks change
/// nothing. Colour stays colour (gray is made by `ImageFile.grayscale`), so a PNG and a PPM of one
/// picture read alike. Alpha and tRNS transparency are ignored, not composed
/// on a background: a transparent pixel reads as the colour stored under it.
enum PNG {
    /// Whether `bytes` start like a PNG file (the first four bytes of the signature).
    static func recognises(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x89, 0x50, 0x4E, 0x47])
    }

    /// Decodes a PNG as it is stored: gray (grey, grey and alpha) or colour (RGB, RGBA, and
    /// palettes); `file` names it in errors. Allocates the intensities and one row of samples
    /// (every row when interlaced), after `ImageFile.checkSize` has accepted the header's size.
    static func parse(_ bytes: [UInt8], file: String) throws -> Picture {
        let (width, height, channels) = try size(bytes, file: file)
        var message = [CChar](repeating: 0, count: 200)
        var decoded: Int32 = 0
        let pixels = [Float](unsafeUninitializedCapacity: width * height * channels) { values, count in
            decoded = bytes.withUnsafeBufferPointer { input in
                latent_png_read(input.baseAddress, input.count, Int32(channels), values.baseAddress, values.count,
                                &message, message.count)
            }
            // Floats need no deinitialising, so a failed read can leave them as they are.
            count = values.count
        }
        guard decoded != 0 else { throw DataError(file: file, "truncated or corrupt PNG (\(text(message)))") }
        return Picture(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// The size and channels (1 gray, 3 colour) a PNG's header declares, checked against
    /// `ImageFile.maximumPixels`. Decodes no pixel.
    static func size(_ bytes: [UInt8], file: String) throws -> (width: Int, height: Int, channels: Int) {
        var message = [CChar](repeating: 0, count: 200)
        var header = latent_png_header()
        let readHeader = bytes.withUnsafeBufferPointer { input in
            latent_png_read_header(input.baseAddress, input.count, &header, &message, message.count)
        }
        guard readHeader != 0 else { throw DataError(file: file, "unreadable PNG (\(text(message)))") }
        let (width, height) = (Int(header.width), Int(header.height))
        try ImageFile.checkSize(width: width, height: height, file: file)
        // Colour types 2 (RGB), 3 (palette) and 6 (RGBA) have colour; 0 and 4 are grey.
        return (width, height, header.color_type & 2 != 0 ? 3 : 1)
    }

    private static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
