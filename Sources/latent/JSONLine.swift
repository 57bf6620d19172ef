import Foundation

/// One JSON object per line, with keys in the order given (as Python's json.dumps keeps them).
enum JSONLine {
    static func encode(_ fields: [(String, Any)]) -> String {
        let parts = fields.map { key, value -> String in
            "\"\(key)\": \(render(value))"
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    private static func render(_ value: Any) -> String {
        switch value {
        case let number as Double:
            guard number.isFinite else { return "null" }
            // Three decimals, as the PyTorch reference rounds.
            return String(format: "%.3f", number)
        case let number as Int:
            return String(number)
        case let text as String:
            let data = try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
            let array = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
            return String(array.dropFirst().dropLast())
        default:
            return "null"
        }
    }
}
