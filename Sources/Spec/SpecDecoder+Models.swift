import Learn
import Yams

extension SpecDecoder {
    mutating func decodeModels(_ node: Node) -> [ModelSpec] {
        guard let items = reader.list(node, "models") else { return [] }
        if items.isEmpty { reader.error(node.location, "models lists no model; add at least one") }
        return uniquelyNamed(items.compactMap { decodeModel($0) }, name: \.name, what: "model")
    }

    /// The items whose names were not used before, reporting each repeat where it is.
    mutating func uniquelyNamed<Item>(_ items: [Item], name: (Item) -> Located<String>, what: String) -> [Item] {
        var kept: [Item] = []
        var names: [String: SourceLocation?] = [:]
        for item in items {
            let located = name(item)
            if let previous = names[located.value] {
                let earlier = previous.map { " (first used on line \($0.line))" } ?? ""
                reader.error(located.location, "\(what) name '\(located.value)' is used twice\(earlier); give each \(what) a unique name")
                continue
            }
            names[located.value] = located.location
            kept.append(item)
        }
        return kept
    }

    private mutating func decodeModel(_ node: Node) -> ModelSpec? {
        guard let entries = reader.mapping(node, in: "a model", allowed: ["name", "type", "params", "grid"], required: ["type"]) else { return nil }
        guard let typeEntry = entries["type"], let typeName = reader.text(typeEntry.value, "model type") else { return nil }
        guard let type = ModelFamily.named(typeName) else {
            reader.error(typeEntry.value.location, "unknown model type '\(typeName)'\(Suggestion.hint(for: typeName, among: ModelFamily.names)); expected one of \(listing(ModelFamily.names))")
            return nil
        }
        var name = Located(typeName, at: typeEntry.value.location)
        if let entry = entries["name"], let text = reader.text(entry.value, "model name") {
            name = Located(text, at: entry.value.location)
        }
        var params: [String: Located<ParamValue>] = [:]
        if let entry = entries["params"] {
            if let fields = paramEntries(entry.value, type: type, section: "params") {
                for (key, keyLocation, value) in fields {
                    if let parsed = paramValue(value, param: type.param(named: key)!, model: type) {
                        params[key] = Located(parsed, at: value.location)
                    }
                    _ = keyLocation
                }
            }
        }
        var grid: [(name: Located<String>, values: [Located<ParamValue>])] = []
        if let entry = entries["grid"], let fields = paramEntries(entry.value, type: type, section: "grid") {
            for (key, keyLocation, value) in fields {
                if params[key] != nil {
                    reader.error(keyLocation, "'\(key)' is set both in params and in grid; keep it in one place")
                    continue
                }
                guard case .sequence(let sequence) = value else {
                    reader.error(value.location, "grid.\(key) must be a list of values to try, found \(value.kindName) (put a fixed value under params)")
                    continue
                }
                if sequence.isEmpty {
                    reader.error(value.location, "grid.\(key) lists no values")
                    continue
                }
                let spec = type.param(named: key)!
                var values: [Located<ParamValue>] = []
                for element in sequence {
                    if let parsed = paramValue(element, param: spec, model: type) {
                        if values.contains(where: { $0.value == parsed }) {
                            reader.warning(element.location, "grid.\(key) lists \(parsed) twice")
                            continue
                        }
                        values.append(Located(parsed, at: element.location))
                    }
                }
                grid.append((Located(key, at: keyLocation), values))
            }
            grid.sort { $0.name.value < $1.name.value }
        }
        return ModelSpec(name: name, type: Located(type.name, at: typeEntry.value.location), params: params, grid: grid)
    }

    /// Entries of a params or grid mapping whose names the model type knows.
    private mutating func paramEntries(_ node: Node, type: ModelFamily, section: String) -> [(String, SourceLocation?, Node)]? {
        guard case .mapping(let mapping) = node else {
            if node.scalarValue == .null { return [] }
            reader.error(node.location, "\(section) must be a mapping of parameter names to values, found \(node.kindName)")
            return nil
        }
        var result: [(String, SourceLocation?, Node)] = []
        let known = type.params.map(\.name)
        for (keyNode, value) in mapping {
            let key = keyNode.scalar?.string ?? ""
            guard known.contains(key) else {
                reader.error(keyNode.location, "unknown parameter '\(key)' for \(type.name)\(Suggestion.hint(for: key, among: known)); it takes \(listing(known, conjunction: "and"))")
                continue
            }
            result.append((key, keyNode.location, value))
        }
        return result
    }

    private mutating func paramValue(_ node: Node, param: ParamSpec, model: ModelFamily) -> ParamValue? {
        guard let scalar = node.scalarValue else {
            reader.error(node.location, "\(model.name).\(param.name) must be \(param.expectation), found \(node.kindName)")
            return nil
        }
        let value = scalar.paramValue
        guard param.accepts(value) else {
            var hint = ""
            if case .string(let word) = value {
                let choices = param.forms.flatMap { form -> [String] in
                    if case .choice(let options) = form { return options }
                    return []
                }
                hint = Suggestion.hint(for: word, among: choices)
            }
            reader.error(node.location, "\(model.name).\(param.name) must be \(param.expectation), found \(value)\(hint)")
            return nil
        }
        return value
    }
}
