/// Choosing an architecture for the data, and saying which image sizes one takes.
extension Architecture {
    /// Whether the architecture named by `text` fixes its image size: a preset, or a general
    /// form with `image:`. Any other takes the size of the data it is trained on.
    public static func fixesImage(_ text: String) -> Bool {
        let compact = text.filter { !$0.isWhitespace }
        return named.contains { $0.name == compact } || compact.contains("image:")
    }

    /// The architecture trained on data of `shape` when none is named: `conv2` for 28x28 gray,
    /// `rgb32` and `rgb64` for colour at 32 and 64, and otherwise the layers of `conv2` (gray)
    /// or `rgb32` (colour) at that size, which `problem` refuses when the size does not divide.
    public static func standard(for shape: ImageShape) -> Architecture {
        if let preset = [conv2, rgb32, rgb64].first(where: { $0.image == shape }) { return preset }
        var architecture = shape.channels == 1 ? conv2 : rgb32
        architecture.image = shape
        return architecture
    }

    /// The image sides the architecture's layers can take with its other settings: every side
    /// for an MLP, multiples of 2^convolutions for a conv model.
    public var sideMultiple: Int {
        switch body {
        case .mlp: return 1
        case .conv(let filters, _): return 1 << min(filters.count, Architecture.maximumDepth)
        }
    }

    /// The sides from 16 to 128 that the layers take, in words: "16, 24, 32, ... (multiples of 8)".
    public var sidesInWords: String {
        let m = sideMultiple
        let sides = stride(from: max(m, (16 + m - 1) / m * m), through: 128, by: m).prefix(8).map(String.init)
        return m == 1 ? "any" : sides.joined(separator: ", ") + ", ... (multiples of \(m))"
    }
}
