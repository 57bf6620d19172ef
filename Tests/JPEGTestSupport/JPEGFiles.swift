import Foundation

/// JPEG files for tests: made by `cjpeg` (Debian's libjpeg-turbo-progs), an encoder that shares
/// nothing with latent's reading path, and the byte surgery that makes hostile ones from them
/// (a huge declared size, CMYK, an EXIF orientation).
public enum JPEGFiles {
    /// A tool or a marker the tests need is missing.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// `cjpeg` from the PATH or /usr/bin, or an error saying how to get it: tests that need it
    /// fail rather than skip.
    public static func cjpegPath() throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"]
        for directory in directories where FileManager.default.isExecutableFile(atPath: directory + "/cjpeg") {
            return directory + "/cjpeg"
        }
        throw Problem(description: "cjpeg is missing: `make test` installs it (Debian package libjpeg-turbo-progs)")
    }

    /// The JPEG `cjpeg arguments` makes of a PGM or PPM file's bytes.
    public static func cjpeg(_ netpbm: [UInt8], _ arguments: [String] = []) throws -> [UInt8] {
        let input = NSTemporaryDirectory() + "latent-cjpeg-\(UUID().uuidString).pnm"
        guard FileManager.default.createFile(atPath: input, contents: Data(netpbm)) else {
            throw Problem(description: "cannot write \(input)")
        }
        defer { try? FileManager.default.removeItem(atPath: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try cjpegPath())
        process.arguments = arguments + [input]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let jpeg = out.fileHandleForReading.readDataToEndOfFile()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, !jpeg.isEmpty else {
            throw Problem(description: "cjpeg \(arguments) failed: \(String(decoding: message, as: UTF8.self))")
        }
        return Array(jpeg)
    }

    /// A binary PPM of `rgb`, three bytes a pixel.
    public static func ppm(width: Int, height: Int, rgb: [UInt8]) -> [UInt8] {
        precondition(rgb.count == width * height * 3)
        return Array("P6\n\(width) \(height)\n255\n".utf8) + rgb
    }

    /// A binary PGM of `gray`, one byte a pixel.
    public static func pgm(width: Int, height: Int, gray: [UInt8]) -> [UInt8] {
        precondition(gray.count == width * height)
        return Array("P5\n\(width) \(height)\n255\n".utf8) + gray
    }

    /// A smooth colour picture, RGB bytes: gradients and slow waves that JPEG keeps well, with no
    /// symmetry (so a rotation or a mirror shows).
    public static func picture(width: Int, height: Int) -> [UInt8] {
        var rgb: [UInt8] = []
        rgb.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let (u, v) = (Double(x) / Double(width), Double(y) / Double(height))
                let red = 0.5 + 0.4 * sin(6 * u + 2 * v)
                let green = 0.2 + 0.6 * u * v
                let blue = 0.5 + 0.4 * cos(5 * v - u)
                rgb += [red, green, blue].map { UInt8(($0 * 255).rounded()) }
            }
        }
        return rgb
    }

    /// The offset of the first segment whose marker `accepts`, from its FF; throws when the
    /// headers end first. Markers without a length (RSTn, TEM) are stepped over.
    static func segment(in jpeg: [UInt8], where accepts: (UInt8) -> Bool) throws -> Int {
        var index = 2
        while index + 3 < jpeg.count, jpeg[index] == 0xFF {
            let marker = jpeg[index + 1]
            if accepts(marker) { return index }
            if marker == 0xDA || marker == 0xD9 { break }
            index += 2 + (Int(jpeg[index + 2]) << 8 | Int(jpeg[index + 3]))
        }
        throw Problem(description: "no such marker before the first scan")
    }

    /// The frame header's offset (SOF0-SOF15, not DHT, JPG or DAC).
    static func frameHeader(in jpeg: [UInt8]) throws -> Int {
        try segment(in: jpeg) { (0xC0...0xCF).contains($0) && ![0xC4, 0xC8, 0xCC].contains($0) }
    }

    /// The file with its frame header declaring `width` x `height` (its data unchanged).
    public static func declaring(width: Int, height: Int, _ jpeg: [UInt8]) throws -> [UInt8] {
        var patched = jpeg
        let sof = try frameHeader(in: jpeg)
        patched[sof + 5] = UInt8(height >> 8)
        patched[sof + 6] = UInt8(height & 0xFF)
        patched[sof + 7] = UInt8(width >> 8)
        patched[sof + 8] = UInt8(width & 0xFF)
        return patched
    }

    /// A three-component JPEG made into a four-component Adobe one: a fourth component in the
    /// frame header and an APP14 "Adobe" segment with colour transform `transform` (0 CMYK,
    /// 2 YCCK), as Photoshop writes them. Its scans still cover three components, so it does not
    /// decode; a reader has to refuse it from its header.
    public static func adobeFourComponent(_ jpeg: [UInt8], transform: UInt8) throws -> [UInt8] {
        let sof = try frameHeader(in: jpeg)
        guard jpeg[sof + 9] == 3 else { throw Problem(description: "not a three-component JPEG") }
        var patched = jpeg
        let length = Int(jpeg[sof + 2]) << 8 | Int(jpeg[sof + 3])
        patched.insert(contentsOf: [4, 0x11, 0], at: sof + 2 + length)  // id 4, 1x1 sampling, table 0
        patched[sof + 3] = UInt8(length + 3)
        patched[sof + 9] = 4
        let adobe: [UInt8] = [0xFF, 0xEE, 0, 14] + Array("Adobe".utf8) + [0, 100, 0, 0, 0, 0, transform]
        patched.insert(contentsOf: adobe, at: 2)
        return patched
    }

    /// The file with an APP1 Exif segment after SOI whose IFD0 holds one entry, the orientation
    /// tag 0x0112 as a SHORT of `value`, in Motorola (MM) or Intel (II) byte order.
    public static func withOrientation(_ value: UInt16, bigEndian: Bool, _ jpeg: [UInt8]) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) -> [UInt8] {
            let bytes = [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
            return bigEndian ? bytes : bytes.reversed()
        }
        var tiff: [UInt8] = (bigEndian ? Array("MM".utf8) : Array("II".utf8)) + u16(42) + u32(8)
        tiff += u16(1)                                       // one entry
        tiff += u16(0x0112) + u16(3) + u32(1) + u16(value) + [0, 0]  // orientation, SHORT, 1 value
        tiff += u32(0)                                       // no next IFD
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        var file = jpeg
        file.insert(contentsOf: [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload, at: 2)
        return file
    }
}
