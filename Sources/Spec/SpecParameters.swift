import Yams

/// A spec as flat `key path → value` pairs, for showing what changed between two runs
/// (`runner diff`): mappings nest with dots, list items that have a `name` go by it
/// (`models[logreg].grid.C`), other items by position; a list of plain values is one value
/// (`[0.1, 1, 10]`).
public enum SpecParameters {
    public static func flatten(_ text: String) -> [String: String]? {
        guard let node = try? Yams.compose(yaml: text) else { return nil }
        var result: [String: String] = [:]
        walk(node, path: "", into: &result)
        return result
    }

    private static func walk(_ node: Node, path: String, into result: inout [String: String]) {
        switch node {
        case .scalar(let scalar):
            result[path] = scalar.string
        case .mapping(let mapping):
            if mapping.isEmpty { result[path] = "{}" }
            for (key, value) in mapping {
                let name = key.scalar?.string ?? "?"
                walk(value, path: path.isEmpty ? name : "\(path).\(name)", into: &result)
            }
        case .sequence(let sequence):
            if sequence.allSatisfy({ $0.scalar != nil }) {
                result[path] = "[" + sequence.compactMap { $0.scalar?.string }.joined(separator: ", ") + "]"
                return
            }
            for (index, item) in sequence.enumerated() {
                let name = item.mapping?["name"]?.scalar?.string
                walk(item, path: "\(path)[\(name ?? String(index))]", into: &result)
            }
        case .alias(let alias):
            result[path] = "*\(alias.anchor)"
        }
    }
}
