import Learn
import Yams

/// A mapping entry with its key's position.
struct Entry {
    var key: String
    var keyLocation: SourceLocation?
    var value: Node
}

/// Typed access to YAML nodes that records a located diagnostic for every mismatch,
/// so one pass reports every problem in the spec.
struct NodeReader {
    var log: DiagnosticLog

    init(file: String) { log = DiagnosticLog(file: file) }

    /// The mapping's entries, after reporting unknown keys (with a suggestion) and missing
    /// required ones; `allowed` nil takes any name (a mapping keyed by column names).
    mutating func mapping(_ node: Node, in context: String, allowed: [String]?, required: [String] = []) -> [String: Entry]? {
        guard case .mapping(let mapping) = node else {
            log.error(node.location, "\(context) must be a mapping, found \(node.kindName)")
            return nil
        }
        var entries: [String: Entry] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                log.error(keyNode.location, "keys in \(context) must be plain names")
                continue
            }
            if let allowed, !allowed.contains(key) {
                let place = context == "the spec" ? "" : " in \(context)"
                log.error(keyNode.location, "unknown key '\(key)'\(place)\(Suggestion.hint(for: key, among: allowed))")
                continue
            }
            entries[key] = Entry(key: key, keyLocation: keyNode.location, value: value)
        }
        for key in required where entries[key] == nil {
            log.error(node.location, "\(context) is missing the required key '\(key)'")
        }
        return entries
    }

    mutating func list(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            log.error(node.location, "\(what) must be a list, found \(node.kindName)")
            return nil
        }
        return Array(sequence)
    }

    /// Any non-null scalar's text (column names may look like numbers).
    mutating func text(_ node: Node, _ what: String) -> String? {
        guard let scalar = node.scalar, node.scalarValue != .null else {
            log.error(node.location, "\(what) must be a string, found \(node.kindName)")
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ node: Node, _ what: String) -> Bool? {
        guard case .bool(let value)? = node.scalarValue else {
            var hint = quotedHint(node)
            if case .string(let word)? = node.scalarValue, ["yes", "no", "on", "off", "y", "n"].contains(word.lowercased()) {
                hint = " ('\(word)' is text here, not a boolean: write true or false)"
            }
            log.error(node.location, "\(what) must be true or false, found \(node.kindName)\(hint)")
            return nil
        }
        return value
    }

    mutating func int(_ node: Node, _ what: String, atLeast minimum: Int) -> Int? {
        guard case .int(let value)? = node.scalarValue else {
            log.error(node.location, "\(what) must be an integer, found \(node.kindName)\(quotedHint(node))")
            return nil
        }
        guard value >= minimum else {
            log.error(node.location, "\(what) must be at least \(minimum), found \(value)")
            return nil
        }
        return value
    }

    mutating func number(_ node: Node, _ what: String) -> Double? {
        switch node.scalarValue {
        case .int(let value)?: return Double(value)
        case .double(let value)? where value.isFinite: return value
        default:
            log.error(node.location, "\(what) must be a finite number, found \(node.kindName)\(quotedHint(node))")
            return nil
        }
    }

    /// One of a fixed set of words, with a suggestion for a misspelling.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, as type: Choice.Type) -> Choice? where Choice.RawValue == String {
        let options = Choice.allCases.map(\.rawValue)
        guard case .string(let word)? = node.scalarValue else {
            log.error(node.location, "\(what) must be one of \(listing(options)), found \(node.kindName)")
            return nil
        }
        guard let value = Choice(rawValue: word) else {
            log.error(node.location, "unknown \(what) '\(word)'\(Suggestion.hint(for: word, among: options)); expected \(listing(options))")
            return nil
        }
        return value
    }

    mutating func error(_ location: SourceLocation?, _ message: String) { log.error(location, message) }
    mutating func warning(_ location: SourceLocation?, _ message: String) { log.warning(location, message) }

    /// A quoted number or boolean is text in YAML; say so, since that is the usual cause.
    private func quotedHint(_ node: Node) -> String {
        guard let scalar = node.scalar, scalar.style != .plain, scalar.style != .any else { return "" }
        return " (remove the quotes around '\(scalar.string)')"
    }
}
