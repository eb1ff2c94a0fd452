import Learn
import Yams

extension SpecDecoder {
    static let stepKinds = PreprocessingKind.names

    mutating func decodePreprocess(_ node: Node) -> [Located<PreprocessStep>] {
        guard let items = reader.list(node, "preprocess") else { return [] }
        var steps: [Located<PreprocessStep>] = []
        for item in items {
            guard case .mapping(let mapping) = item, mapping.count == 1, let (keyNode, options) = mapping.first else {
                reader.error(item.location, "each preprocess step is a mapping with one key, the step's kind (\(listing(Self.stepKinds))), found \(item.kindName)")
                continue
            }
            guard let name = keyNode.scalar?.string, let kind = PreprocessingKind(rawValue: name) else {
                let word = keyNode.scalar?.string ?? ""
                reader.error(keyNode.location, "unknown preprocess step '\(word)'\(Suggestion.hint(for: word, among: Self.stepKinds)); expected \(listing(Self.stepKinds))")
                continue
            }
            // `- scale:` with nothing after it means "all defaults".
            let settings: Node = options.scalarValue == .null ? Node([(Node, Node)]()) : options
            if let step = decodeStep(kind, settings) { steps.append(Located(step, at: keyNode.location)) }
        }
        return steps
    }

    private mutating func decodeStep(_ kind: PreprocessingKind, _ node: Node) -> PreprocessStep? {
        let context = "'\(kind.name)'"
        switch kind {
        case .impute:
            guard let entries = reader.mapping(node, in: context, allowed: kind.options) else { return nil }
            let strategy = entries["strategy"].map { reader.choice($0.value, "impute strategy", as: ImputeStrategy.self) } ?? .mean
            guard let strategy else { return nil }
            let numericOnly = strategy == .mean || strategy == .median
            let columns = entries["columns"].map { decodeSelector($0.value, kind) } ?? (numericOnly ? .numeric : .all)
            var fillValue: ParamValue?
            if let entry = entries["fill_value"] {
                if strategy != .constant {
                    reader.warning(entry.keyLocation, "fill_value is only used with strategy: constant")
                }
                switch entry.value.scalarValue {
                case .int?, .double?, .string?: fillValue = entry.value.scalarValue?.paramValue
                default: reader.error(entry.value.location, "fill_value must be a number or a string, found \(entry.value.kindName)")
                }
            }
            guard let columns else { return nil }
            return .impute(columns: columns, strategy: strategy, fillValue: fillValue)
        case .dropMissing:
            guard let entries = reader.mapping(node, in: context, allowed: kind.options) else { return nil }
            let axis = entries["axis"].map { reader.choice($0.value, "drop_missing axis", as: PreprocessStep.DropAxis.self) } ?? .rows
            let columns = entries["columns"].map { decodeSelector($0.value, kind) } ?? .all
            var threshold = 0.0
            if let entry = entries["threshold"], let value = reader.number(entry.value, "drop_missing.threshold") {
                if value < 0 || value >= 1 {
                    reader.error(entry.value.location, "drop_missing.threshold is the share of missing values tolerated, from 0 up to (not including) 1; found \(value)")
                } else {
                    threshold = value
                }
            }
            guard let axis, let columns else { return nil }
            return .dropMissing(axis: axis, columns: columns, threshold: threshold)
        case .oneHot:
            guard let entries = reader.mapping(node, in: context, allowed: kind.options) else { return nil }
            let columns = entries["columns"].map { decodeSelector($0.value, kind) } ?? .categorical
            var handleUnknown: UnknownCategoryRule? = .error
            if let entry = entries["handle_unknown"] {
                handleUnknown = reader.choice(entry.value, "one_hot handle_unknown", as: UnknownCategoryRule.self)
                if handleUnknown == .useEncodedValue {
                    reader.error(entry.value.location, "one_hot handle_unknown must be 'error' or 'ignore' (use_encoded_value is for ordinal)")
                    handleUnknown = nil
                }
            }
            var drop: PreprocessStep.OneHotDrop? = PreprocessStep.OneHotDrop.none
            if let entry = entries["drop"], entry.value.scalarValue != .null {
                drop = reader.choice(entry.value, "one_hot drop", as: PreprocessStep.OneHotDrop.self)
            }
            guard let columns, let handleUnknown, let drop else { return nil }
            return .oneHot(columns: columns, handleUnknown: handleUnknown, drop: drop)
        case .ordinal:
            guard let entries = reader.mapping(node, in: context, allowed: kind.options) else { return nil }
            var categories: [String: [String]] = [:]
            var columns = entries["columns"].map { decodeSelector($0.value, kind) }
            if let entry = entries["categories"] {
                if case .mapping(let mapping) = entry.value {
                    for (key, value) in mapping {
                        guard let column = key.scalar?.string else { continue }
                        let order = decodeNames(value, "ordinal.categories.\(column)").map(\.value)
                        if Set(order).count != order.count {
                            reader.error(value.location, "ordinal.categories.\(column) lists a value twice")
                        }
                        categories[column] = order
                    }
                    if columns == nil {
                        columns = .names(mapping.map { Located($0.key.scalar?.string ?? "", at: $0.key.location) })
                    }
                } else {
                    reader.error(entry.value.location, "ordinal.categories must map each column to its values in order, e.g. {size: [S, M, L]}")
                }
            }
            var handleUnknown: UnknownCategoryRule? = .error
            if let entry = entries["handle_unknown"] {
                handleUnknown = reader.choice(entry.value, "ordinal handle_unknown", as: UnknownCategoryRule.self)
                if handleUnknown == .ignore {
                    reader.error(entry.value.location, "ordinal handle_unknown must be 'error' or 'use_encoded_value' (with unknown_value)")
                    handleUnknown = nil
                }
            }
            var unknownValue = -1.0
            if let entry = entries["unknown_value"], let value = reader.number(entry.value, "ordinal.unknown_value") {
                unknownValue = value
                if handleUnknown != .useEncodedValue {
                    reader.warning(entry.keyLocation, "unknown_value is only used with handle_unknown: use_encoded_value")
                }
            }
            guard let columns = columns ?? .categorical, let handleUnknown else { return nil }
            return .ordinal(columns: columns, categories: categories, handleUnknown: handleUnknown, unknownValue: unknownValue)
        case .scale:
            guard let entries = reader.mapping(node, in: context, allowed: kind.options) else { return nil }
            let method = entries["method"].map { reader.choice($0.value, "scale method", as: ScaleMethod.self) } ?? .standard
            let columns = entries["columns"].map { decodeSelector($0.value, kind) } ?? .numeric
            guard let method, let columns else { return nil }
            return .scale(columns: columns, method: method)
        }
    }

    private mutating func decodeSelector(_ node: Node, _ kind: PreprocessingKind) -> ColumnSelectorSpec? {
        let step = kind.name
        if case .string(let word)? = node.scalarValue {
            switch word {
            case "numeric": return .numeric
            case "categorical": return .categorical
            case "all": return .all
            default:
                reader.error(node.location, "\(step).columns must be 'numeric', 'categorical', 'all' or a list of column names, found '\(word)'\(Suggestion.hint(for: word, among: ["numeric", "categorical", "all"]))")
                return nil
            }
        }
        guard case .sequence = node else {
            reader.error(node.location, "\(step).columns must be 'numeric', 'categorical', 'all' or a list of column names, found \(node.kindName)")
            return nil
        }
        let names = decodeNames(node, "\(step).columns")
        if names.isEmpty { reader.error(node.location, "\(step).columns lists no columns") }
        return .names(names)
    }
}
