import Foundation
import Tabular
import Yams

/// A spec as a plain tree the mutators can edit and print back as YAML: top-level entries in
/// block style, everything below in flow style. Scalars keep their source text, so `1e400`
/// or `.nan` reach the parser exactly as written.
indirect enum YAMLTree: Equatable, Sendable {
    case scalar(String, quoted: Bool)
    case list([YAMLTree])
    case map([(key: String, value: YAMLTree)])

    static func == (a: YAMLTree, b: YAMLTree) -> Bool {
        switch (a, b) {
        case let (.scalar(x, p), .scalar(y, q)): return x == y && p == q
        case let (.list(x), .list(y)): return x == y
        case let (.map(x), .map(y)): return x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        default: return false
        }
    }

    init?(yaml: String) {
        guard let node = try? Yams.compose(yaml: yaml) else { return nil }
        self.init(node)
    }

    init(_ node: Node) {
        switch node {
        case .scalar(let scalar): self = .scalar(scalar.string, quoted: scalar.style != .plain && scalar.style != .any)
        case .sequence(let sequence): self = .list(sequence.map(YAMLTree.init))
        case .mapping(let mapping): self = .map(mapping.map { (key: $0.key.string ?? "?", value: YAMLTree($0.value)) })
        case .alias: self = .scalar("~", quoted: false)
        }
    }

    var yaml: String {
        guard case .map(let entries) = self else { return flow + "\n" }
        return entries.map { "\(Self.key($0.key)): \($0.value.flow)" }.joined(separator: "\n") + "\n"
    }

    var flow: String {
        switch self {
        case .scalar(let text, let quoted): return quoted || text.isEmpty ? Self.quote(text) : text
        case .list(let items): return "[" + items.map(\.flow).joined(separator: ", ") + "]"
        case .map(let entries): return "{" + entries.map { "\(Self.key($0.key)): \($0.value.flow)" }.joined(separator: ", ") + "}"
        }
    }

    static func key(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        return plain ? text : quote(text)
    }

    /// A JSON string literal: a valid YAML double-quoted scalar.
    static func quote(_ text: String) -> String { JSONString.quoted(text) }

    /// Every position in the tree, as index paths (map entry or list item indices).
    var paths: [[Int]] {
        var result: [[Int]] = [[]]
        switch self {
        case .scalar: break
        case .list(let items): for (index, item) in items.enumerated() { result += item.paths.map { [index] + $0 } }
        case .map(let entries): for (index, entry) in entries.enumerated() { result += entry.value.paths.map { [index] + $0 } }
        }
        return result
    }

    subscript(path: ArraySlice<Int>) -> YAMLTree {
        get {
            guard let first = path.first else { return self }
            switch self {
            case .scalar: return self
            case .list(let items): return items[first][path.dropFirst()]
            case .map(let entries): return entries[first].value[path.dropFirst()]
            }
        }
        set {
            guard let first = path.first else { self = newValue; return }
            switch self {
            case .scalar: break
            case .list(var items):
                items[first][path.dropFirst()] = newValue
                self = .list(items)
            case .map(var entries):
                entries[first].value[path.dropFirst()] = newValue
                self = .map(entries)
            }
        }
    }
}
