/// How a JPEG's stored pixels turn to stand upright: the EXIF orientation (tag 0x0112 of the
/// APP1 "Exif" segment), which cameras write instead of rotating the pixels and which libjpeg
/// ignores.
///
/// reference: CIPA DC-008 (Exif 2.32), 4.6.4 "TIFF Rev. 6.0 Attribute Information", Orientation;
/// jpegexiforient(1) for the eight cases.
///
/// The segment comes from the file, so it is hostile: every offset and count is checked against
/// the bytes present, and anything malformed reads as `.normal` (an image whose metadata is
/// broken is still shown, as it is stored).
enum ExifOrientation: Int, CaseIterable, Sendable {
    /// Stored upright.
    case normal = 1
    /// Mirrored left to right.
    case mirrored = 2
    /// Upside down: rotate 180°.
    case rotated180 = 3
    /// Mirrored top to bottom.
    case flipped = 4
    /// Mirrored about the top-left to bottom-right diagonal.
    case transposed = 5
    /// Lying on its left side: rotate 90° clockwise to stand it up.
    case rotated90Clockwise = 6
    /// Mirrored about the top-right to bottom-left diagonal.
    case transverse = 7
    /// Lying on its right side: rotate 90° counter-clockwise to stand it up.
    case rotated90CounterClockwise = 8

    /// Whether the upright image is `height` x `width` of the stored one.
    var swapsSides: Bool { rawValue >= 5 }

    /// The orientation a JPEG's first Exif segment declares, `.normal` when it has none or it is
    /// malformed. Reads the markers before the first scan only.
    static func of(jpeg bytes: [UInt8]) -> ExifOrientation {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return .normal }
        var index = 2
        while index + 1 < bytes.count {
            guard bytes[index] == 0xFF else { return .normal }  // not at a marker: corrupt
            let marker = bytes[index + 1]
            switch marker {
            case 0xFF:  // a fill byte before the marker
                index += 1
                continue
            case 0xD9, 0xDA:  // EOI, or SOS: the headers are over
                return .normal
            case 0x01, 0xD0...0xD7:  // markers without a length
                index += 2
                continue
            default:
                break
            }
            guard index + 3 < bytes.count else { return .normal }
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])  // counts itself, not the marker
            let (start, end) = (index + 4, index + 2 + length)
            guard length >= 2, end <= bytes.count else { return .normal }
            let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]  // "Exif\0\0"
            if marker == 0xE1, bytes[start..<end].starts(with: exifHeader) {
                return parse(tiff: bytes[(start + exifHeader.count)..<end]) ?? .normal
            }
            index = end
        }
        return .normal
    }

    /// The orientation in a TIFF structure (the Exif segment after "Exif\0\0"): the byte order
    /// (II or MM), 42, the offset of IFD0, then IFD0's 12-byte entries. Nil when it is malformed,
    /// has no orientation entry, or one that is not a single SHORT of 1 to 8.
    static func parse(tiff: ArraySlice<UInt8>) -> ExifOrientation? {
        let tiff = Array(tiff)  // offsets count from its start
        let littleEndian: Bool
        switch tiff.prefix(2) {
        case [0x49, 0x49]: littleEndian = true   // "II"
        case [0x4D, 0x4D]: littleEndian = false  // "MM"
        default: return nil
        }
        func unsigned(at offset: Int, bytes: Int) -> Int? {
            guard offset >= 0, offset <= tiff.count - bytes else { return nil }
            var value = 0
            for k in 0..<bytes {
                let byte = Int(tiff[offset + (littleEndian ? bytes - 1 - k : k)])
                value = value << 8 | byte
            }
            return value
        }
        // The whole directory must be present, not only the entries before the one sought.
        guard unsigned(at: 2, bytes: 2) == 42, let directory = unsigned(at: 4, bytes: 4),
              let entries = unsigned(at: directory, bytes: 2), entries <= (tiff.count - directory - 2) / 12 else { return nil }
        for k in 0..<entries {
            let entry = directory + 2 + 12 * k
            guard let tag = unsigned(at: entry, bytes: 2), let type = unsigned(at: entry + 2, bytes: 2),
                  let count = unsigned(at: entry + 4, bytes: 4) else { return nil }
            guard tag == 0x0112 else { continue }
            // A SHORT (type 3) fits in the entry's 4-byte value field, left-justified.
            guard type == 3, count == 1, let value = unsigned(at: entry + 8, bytes: 2) else { return nil }
            return ExifOrientation(rawValue: value)
        }
        return nil
    }

    /// The stored image stood upright: `samples` of `width` x `height` pixels, `channels` bytes
    /// each, row by row, rotated and mirrored as this orientation says; a `height` x `width`
    /// image when `swapsSides`. Allocates one copy of the samples (none for `.normal`).
    func upright(_ samples: [UInt8], width: Int, height: Int, channels: Int) -> [UInt8] {
        precondition(width >= 1 && height >= 1 && samples.count == width * height * channels,
                     "\(samples.count) samples for \(width)x\(height)x\(channels)")
        if self == .normal { return samples }
        let (outWidth, outHeight) = swapsSides ? (height, width) : (width, height)
        // The stored pixel shown at upright (x, y) is origin + x * stepX + y * stepY.
        let (w, h) = (width, height)
        let (origin, stepX, stepY): (Int, Int, Int)
        switch self {
        case .normal: (origin, stepX, stepY) = (0, 1, w)
        case .mirrored: (origin, stepX, stepY) = (w - 1, -1, w)                             // (w-1-x, y)
        case .rotated180: (origin, stepX, stepY) = ((h - 1) * w + w - 1, -1, -w)            // (w-1-x, h-1-y)
        case .flipped: (origin, stepX, stepY) = ((h - 1) * w, 1, -w)                        // (x, h-1-y)
        case .transposed: (origin, stepX, stepY) = (0, w, 1)                                // (y, x)
        case .rotated90Clockwise: (origin, stepX, stepY) = ((h - 1) * w, -w, 1)            // (y, h-1-x)
        case .transverse: (origin, stepX, stepY) = ((h - 1) * w + w - 1, -w, -1)           // (w-1-y, h-1-x)
        case .rotated90CounterClockwise: (origin, stepX, stepY) = (w - 1, w, -1)           // (w-1-y, x)
        }
        return [UInt8](unsafeUninitializedCapacity: samples.count) { out, count in
            samples.withUnsafeBufferPointer { source in
                for y in 0..<outHeight {
                    var pixel = origin + y * stepY
                    var target = y * outWidth * channels
                    for _ in 0..<outWidth {
                        for c in 0..<channels { out[target + c] = source[pixel * channels + c] }
                        pixel += stepX
                        target += channels
                    }
                }
            }
            count = samples.count
        }
    }
}
