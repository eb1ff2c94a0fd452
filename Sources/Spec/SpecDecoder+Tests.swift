import Learn
import Yams

extension SpecDecoder {
    /// `tests:`: what the model must pass before it is packaged (docs/spec.md).
    mutating func decodeTests(_ node: Node) -> [ModelTestSpec] {
        guard let items = reader.list(node, "tests") else { return [] }
        var tests: [ModelTestSpec] = []
        for (index, item) in items.enumerated() {
            let context = "tests[\(index + 1)]"
            guard let entries = reader.mapping(item, in: "'\(context)'", allowed: ModelCheck.kinds + ["data"]) else { continue }
            let kinds = ModelCheck.kinds.filter { entries[$0] != nil }
            guard kinds.count == 1, let kind = kinds.first, let entry = entries[kind] else {
                reader.error(item.location, kinds.isEmpty
                    ? "\(context) names no test; use one of \(Wording.list(ModelCheck.kinds))"
                    : "\(context) names \(kinds.count) tests (\(Wording.list(kinds, conjunction: "and"))); write each as its own list item")
                continue
            }
            guard var test = decodeTest(kind, entry.value, context: "\(context).\(kind)", location: entry.keyLocation) else { continue }
            if let data = entries["data"] {
                if !ModelCheck.kindsTakingData.contains(kind) {
                    reader.error(data.keyLocation, "\(context): '\(kind)' does not predict on a data file, so it takes no 'data'; 'data' goes with \(Wording.list(ModelCheck.kindsTakingData.sorted()))")
                } else if let path = reader.text(data.value, "\(context).data") {
                    test.data = Located(resolve(path), at: data.value.location)
                    test.dataWritten = path
                }
            }
            tests.append(test)
        }
        return tests
    }

    private mutating func decodeTest(_ kind: String, _ node: Node, context: String, location: SourceLocation?) -> ModelTestSpec? {
        switch kind {
        case "metric":
            guard let entries = reader.mapping(node, in: "'\(context)'", allowed: Metric.names) else { return nil }
            if case .mapping(let mapping) = node, mapping.isEmpty {
                reader.error(node.location, "\(context) names no metric; write e.g. {accuracy: \">= 0.85\"}")
                return nil
            }
            guard !entries.isEmpty else { return nil }
            var requirements: [ModelCheck.MetricRequirement] = [], locations: [String: SourceLocation?] = [:]
            for name in entries.keys.sorted() {
                guard let entry = entries[name], let requirement = requirement(entry.value, "\(context).\(name)") else { continue }
                requirements.append(.init(metric: name, requirement: requirement))
                locations[name] = entry.keyLocation
            }
            guard requirements.count == entries.count else { return nil }
            var test = ModelTestSpec(check: .metric(requirements), location: location)
            test.metricLocations = locations
            return test
        case "per_class":
            let metrics = ["precision", "recall", "f1"]
            guard let entries = reader.mapping(node, in: "'\(context)'", allowed: ["class"] + metrics) else { return nil }
            var label: String?
            if let entry = entries["class"] { label = reader.text(entry.value, "\(context).class") }
            var requirements: [ModelCheck.MetricRequirement] = []
            for name in metrics {
                guard let entry = entries[name], let requirement = requirement(entry.value, "\(context).\(name)") else { continue }
                requirements.append(.init(metric: name, requirement: requirement))
            }
            guard metrics.contains(where: { entries[$0] != nil }) else {
                reader.error(node.location, "\(context) names no metric; give precision, recall or f1, e.g. {recall: \">= 0.7\"}")
                return nil
            }
            guard requirements.count == metrics.filter({ entries[$0] != nil }).count else { return nil }
            var test = ModelTestSpec(check: .perClass(label: label, requirements: requirements), location: location)
            test.classLocation = entries["class"]?.value.location
            return test
        case "better_than":
            if case .scalar = node {
                guard let word = reader.text(node, context) else { return nil }
                guard word == "baseline" else {
                    reader.error(node.location, "\(context) must be 'baseline' or a mapping {against: baseline, metric: ..., margin: ...}, found '\(word)'")
                    return nil
                }
                return ModelTestSpec(check: .betterThanBaseline(metric: nil, margin: 0), location: location)
            }
            guard let entries = reader.mapping(node, in: "'\(context)'", allowed: ["against", "metric", "margin"]) else { return nil }
            if let entry = entries["against"], let word = reader.text(entry.value, "\(context).against"), word != "baseline" {
                reader.error(entry.value.location, "\(context).against must be 'baseline' (a dummy model: most frequent class, or the mean), found '\(word)'")
                return nil
            }
            let (metric, metricLocation) = optionalMetric(entries, context)
            guard let margin = nonNegative(entries, "margin", context, default: 0) else { return nil }
            if entries["metric"] != nil, metric == nil { return nil }
            var test = ModelTestSpec(check: .betterThanBaseline(metric: metric, margin: margin), location: location)
            test.metricLocations = metric.map { [$0.rawValue: metricLocation] } ?? [:]
            return test
        case "no_regression":
            guard let entries = reader.mapping(node, in: "'\(context)'", allowed: ["against", "metric", "max_drop"], required: ["max_drop"]) else { return nil }
            if let entry = entries["against"], let word = reader.text(entry.value, "\(context).against"), word != "lock" {
                reader.error(entry.value.location, "\(context).against must be 'lock' (the metrics the spec's lock file recorded), found '\(word)'")
                return nil
            }
            let (metric, metricLocation) = optionalMetric(entries, context)
            guard let drop = nonNegative(entries, "max_drop", context, default: 0) else { return nil }
            if entries["metric"] != nil, metric == nil { return nil }
            var test = ModelTestSpec(check: .noRegression(metric: metric, maxDrop: drop), location: location)
            test.metricLocations = metric.map { [$0.rawValue: metricLocation] } ?? [:]
            return test
        case "examples":
            guard let entries = reader.mapping(node, in: "'\(context)'", allowed: ["file", "tolerance"], required: ["file"]) else { return nil }
            guard let entry = entries["file"], let path = reader.text(entry.value, "\(context).file") else { return nil }
            guard let tolerance = nonNegative(entries, "tolerance", context, default: 1e-9) else { return nil }
            var test = ModelTestSpec(check: .examples(file: path, tolerance: tolerance), location: location)
            test.examplesFile = Located(resolve(path), at: entry.value.location)
            return test
        case "invariance":
            guard let entries = reader.mapping(node, in: "'\(context)'", allowed: ["column", "max_changed", "tolerance"], required: ["column", "max_changed"]) else { return nil }
            guard let columnEntry = entries["column"], let column = reader.text(columnEntry.value, "\(context).column"),
                  let changedEntry = entries["max_changed"], let changed = reader.number(changedEntry.value, "\(context).max_changed") else { return nil }
            guard changed >= 0, changed <= 1 else {
                reader.error(changedEntry.value.location, "\(context).max_changed is a share of rows, from 0 to 1, found \(changed)")
                return nil
            }
            guard let tolerance = nonNegative(entries, "tolerance", context, default: 0) else { return nil }
            var test = ModelTestSpec(check: .invariance(column: column, maxChanged: changed, tolerance: tolerance), location: location)
            test.columnLocation = columnEntry.value.location
            return test
        case "stability":
            guard let entries = reader.mapping(node, in: "'\(context)'", allowed: ["metric", "max_cv_std"], required: ["max_cv_std"]) else { return nil }
            let (metric, metricLocation) = optionalMetric(entries, context)
            guard let value = nonNegative(entries, "max_cv_std", context, default: 0) else { return nil }
            if entries["metric"] != nil, metric == nil { return nil }
            var test = ModelTestSpec(check: .stability(metric: metric, maxStd: value), location: location)
            test.metricLocations = metric.map { [$0.rawValue: metricLocation] } ?? [:]
            return test
        case "onnx_agrees":
            if case .scalar = node {
                guard let value = reader.bool(node, context) else { return nil }
                guard value else {
                    reader.error(node.location, "\(context): false checks nothing; remove the test instead")
                    return nil
                }
                return ModelTestSpec(check: .onnxAgrees(tolerance: 1e-9), location: location)
            }
            guard let entries = reader.mapping(node, in: "'\(context)'", allowed: ["tolerance"], required: ["tolerance"]),
                  let value = nonNegative(entries, "tolerance", context, default: 1e-9) else { return nil }
            return ModelTestSpec(check: .onnxAgrees(tolerance: value), location: location)
        default:
            return nil
        }
    }

    /// An optional number of at least 0 (`default` when absent); nil after an error.
    private mutating func nonNegative(_ entries: [String: Entry], _ key: String, _ context: String, default value: Double) -> Double? {
        guard let entry = entries[key] else { return value }
        guard let number = reader.number(entry.value, "\(context).\(key)") else { return nil }
        guard number >= 0 else {
            reader.error(entry.value.location, "\(context).\(key) must be at least 0, found \(number)")
            return nil
        }
        return number
    }

    /// A threshold: a comparison with a number, as text.
    private mutating func requirement(_ node: Node, _ what: String) -> Requirement? {
        let text = node.scalar?.string ?? ""
        if let requirement = Requirement.parse(text) { return requirement }
        let example = "\">= 0.85\""
        if case .int? = node.scalarValue {
            reader.error(node.location, "\(what) must be a comparison such as \(example) (say which way the bound goes), found the number \(text)")
        } else if case .double? = node.scalarValue {
            reader.error(node.location, "\(what) must be a comparison such as \(example) (say which way the bound goes), found the number \(text)")
        } else {
            reader.error(node.location, "\(what) must be a comparison (>=, >, <= or <) with a number, such as \(example), found \(node.kindName)\(text.isEmpty ? "" : " '\(text)'")")
        }
        return nil
    }

    private mutating func optionalMetric(_ entries: [String: Entry], _ context: String) -> (Metric?, SourceLocation?) {
        guard let entry = entries["metric"] else { return (nil, nil) }
        return (reader.choice(entry.value, "\(context).metric", as: Metric.self), entry.value.location)
    }
}
