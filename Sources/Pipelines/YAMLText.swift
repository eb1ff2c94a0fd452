import Tabular

/// A YAML document built in order (CI systems show jobs and keys as written), rendered in
/// block style. Strings are written plain only when YAML 1.1 and 1.2 both read them back as
/// the same string; otherwise single-quoted, or JSON-quoted when they hold a quote or a
/// control character (a JSON string is a YAML double-quoted scalar).
public indirect enum YAMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case list([YAMLValue])
    case mapping([YAMLEntry])

    /// Rendered as a document: `comments` first (one `# ` line each), then the value.
    public func document(comments: [String] = []) -> String {
        var lines = comments.map { $0.isEmpty ? "#" : "# " + $0 }
        render(into: &lines, indent: 0)
        return lines.joined(separator: "\n") + "\n"
    }

    private func render(into lines: inout [String], indent: Int) {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .list(let items) where items.isEmpty: lines.append(pad + "[]")
        case .mapping(let entries) where entries.isEmpty: lines.append(pad + "{}")
        case .list(let items):
            for item in items {
                if let inline = item.inline {
                    lines.append(pad + "- " + inline)
                } else {
                    var nested: [String] = []
                    item.render(into: &nested, indent: indent + 2)
                    // The first nested line takes the dash's place.
                    if let first = nested.first {
                        lines.append(pad + "- " + first.dropFirst(indent + 2))
                        lines.append(contentsOf: nested.dropFirst())
                    }
                }
            }
        case .mapping(let entries):
            for entry in entries {
                for comment in entry.comments { lines.append(pad + (comment.isEmpty ? "#" : "# " + comment)) }
                let key = YAMLValue.scalar(entry.key)
                if let block = entry.value.literalBlock {
                    lines.append(pad + key + ": |-")
                    lines.append(contentsOf: block.map { $0.isEmpty ? "" : pad + "  " + $0 })
                } else if let inline = entry.value.inline {
                    lines.append(pad + key + ": " + inline)
                } else {
                    lines.append(pad + key + ":")
                    // Lists under a key sit at the key's indentation, as GitLab's and GitHub's examples do.
                    if case .list = entry.value { entry.value.render(into: &lines, indent: indent) } else { entry.value.render(into: &lines, indent: indent + 2) }
                }
            }
        case .string, .integer, .boolean:
            lines.append(pad + (inline ?? ""))
        }
    }

    /// A multi-line string's lines for a literal block (`|-`), when it can be one: no
    /// control characters but newlines, no trailing spaces, no leading space on the first line.
    private var literalBlock: [String]? {
        guard case .string(let text) = self, text.contains("\n"), !text.hasPrefix(" "), !text.hasSuffix("\n") else { return nil }
        guard !text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.contains(where: { $0.hasSuffix(" ") }) else { return nil }
        return lines
    }

    /// The one-line form of scalars and empty collections; nil for block collections.
    private var inline: String? {
        switch self {
        case .string(let text): return YAMLValue.scalar(text)
        case .integer(let value): return String(value)
        case .boolean(let value): return value ? "true" : "false"
        case .list(let items): return items.isEmpty ? "[]" : nil
        case .mapping(let entries): return entries.isEmpty ? "{}" : nil
        }
    }

    /// Words YAML 1.1 (PyYAML, GitLab's parser) reads as booleans or null.
    private static let reservedWords: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"]

    static func scalar(_ text: String) -> String {
        if isPlain(text) { return text }
        if text.contains("'") || text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return JSONString.quoted(text)
        }
        return "'" + text + "'"
    }

    /// Letters, digits and `_-./` starting with a letter or `_` or `/`, not a reserved word,
    /// not a number: read back as this string by every YAML parser.
    private static func isPlain(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first == "_" || first == "/" else { return false }
        guard !reservedWords.contains(text.lowercased()) else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-./".contains($0)) }
    }
}

/// One key of a mapping, with comment lines written above it.
public struct YAMLEntry: Sendable, Equatable {
    public var key: String
    public var value: YAMLValue
    public var comments: [String]

    public init(_ key: String, _ value: YAMLValue, comments: [String] = []) {
        self.key = key
        self.value = value
        self.comments = comments
    }
}

extension YAMLValue: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: YAMLValue...) { self = .list(elements) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }

    /// A list of strings.
    public static func strings(_ items: [String]) -> YAMLValue { .list(items.map { .string($0) }) }
}
