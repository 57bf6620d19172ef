extension Array where Element == Int {
    /// Most sizes `shapeText` writes out; past them it gives the count of dimensions.
    static var shapeTextLimit: Int { 8 }

    /// A shape for a one-line message: `[784, 400]`, or `60000x28x28` unbracketed (as IDX
    /// files are described). Past 8 sizes the rest is cut, with the count of dimensions:
    /// `[1, 1, 1, 1, 1, 1, 1, 1, ... (1000000 dimensions)]`, so that a shape read from a file
    /// keeps the message short whatever its rank. Every error that prints a shape from a file
    /// goes through here.
    func shapeText(bracketed: Bool = true) -> String {
        let separator = bracketed ? ", " : "x"
        var text = prefix(Self.shapeTextLimit).map(String.init).joined(separator: separator)
        if count > Self.shapeTextLimit { text += "\(separator)... (\(count) dimensions)" }
        return bracketed ? "[\(text)]" : text
    }
}
