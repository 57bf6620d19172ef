/// A line of fields that fits a width by leaving out whole fields, lowest priority first, as
/// htop's header does: a narrow terminal loses a field, never half of one.
public struct PriorityLine: Equatable, Sendable {
    /// One field: its text and how long it stays (higher stays longer).
    public struct Field: Equatable, Sendable {
        public var text: String
        public var priority: Int

        public init(_ text: String, priority: Int) {
            self.text = text
            self.priority = priority
        }
    }

    public var fields: [Field]
    /// What goes between two fields.
    public var separator: String

    public init(_ fields: [Field], separator: String = "  ") {
        self.fields = fields
        self.separator = separator
    }

    /// Fields given most important first: the first has the highest priority.
    public init(ranked texts: [String], separator: String = "  ") {
        self.init(texts.enumerated().map { Field($0.element, priority: texts.count - $0.offset) }, separator: separator)
    }

    /// The fields in their order, joined by the separator, without the lowest-priority ones
    /// that do not fit `width` columns. A single field wider than `width` is left out too.
    public func text(width: Int) -> String {
        var kept = fields.filter { !$0.text.isEmpty }
        func joined() -> String { kept.map(\.text).joined(separator: separator) }
        while joined().count > width, let lowest = kept.indices.min(by: { kept[$0].priority < kept[$1].priority }) {
            kept.remove(at: lowest)
        }
        return joined()
    }
}
