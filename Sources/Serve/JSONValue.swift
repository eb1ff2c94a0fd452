import Tabular

/// A parsed JSON document, as request bodies arrive: numbers keep their text (a category
/// written as 7 stays "7"), objects keep their key order, and nothing is converted until a
/// route knows what the model expects.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double, text: String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a, _), .number(let b, _)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        default: return false
        }
    }

    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    var objectMembers: [(key: String, value: JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var arrayElements: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value as a table cell; nil for arrays and objects, which no column holds.
    var scalar: ScalarValue? {
        switch self {
        case .null: return .missing
        case .bool(let flag): return .bool(flag)
        case .number(let value, let text): return .number(value, text: text)
        case .string(let text): return .string(text)
        case .array, .object: return nil
        }
    }

    /// What a message calls the value: its JSON type, or the value itself when short.
    var shortDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(_, let text): return text
        case .string(let text): return text.count <= 40 ? JSONWriter.quoted(text) : "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
