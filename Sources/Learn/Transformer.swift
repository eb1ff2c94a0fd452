import Tabular

extension PreprocessingConfig {
    /// Learns the step's state from training rows.
    public func fit(_ table: Table) throws(LearnError) -> FittedTransformer {
        switch self {
        case .impute(let selection, let strategy, let fillValue):
            let names = try selection.resolve(in: table)
            var fills: [FillValue] = []
            for name in names {
                fills.append(try Self.fillValue(for: table[name]!, strategy: strategy, constant: fillValue))
            }
            return .impute(columns: names, fills: fills)
        case .dropColumnsWithMissing(let selection, let threshold):
            let names = try selection.resolve(in: table)
            let rows = Double(max(1, table.rowCount))
            return .dropColumns(names.filter { Double(table[$0]!.missingCount) / rows > threshold })
        case .oneHot(let selection, let ignoreUnknown, let drop):
            let names = try selection.resolve(in: table)
            let columns = names.map { name -> FittedTransformer.OneHotColumn in
                let categories = Self.sortedCategories(of: table[name]!)
                let dropped: Int?
                switch drop {
                case .none: dropped = nil
                case .first: dropped = categories.isEmpty ? nil : 0
                case .ifBinary: dropped = categories.count == 2 ? 0 : nil
                }
                return FittedTransformer.OneHotColumn(name: name, categories: categories, droppedIndex: dropped)
            }
            return .oneHot(columns: columns, ignoreUnknown: ignoreUnknown)
        case .ordinal(let selection, let fixed, let unknownValue):
            let names = try selection.resolve(in: table)
            var orders: [[String]] = []
            for name in names {
                let column = table[name]!
                if let order = fixed[name] {
                    let seen = Set(Self.sortedCategories(of: column)).subtracting([CategoryKey.missing])
                    if unknownValue == nil, let unlisted = seen.subtracting(order).sorted().first {
                        throw LearnError.data("column '\(name)' holds '\(unlisted)', which its ordinal order does not list; add it to categories, or set handle_unknown: use_encoded_value")
                    }
                    orders.append(order)
                } else {
                    orders.append(Self.sortedCategories(of: column).filter { $0 != CategoryKey.missing })
                }
            }
            return .ordinal(columns: names, categories: orders, unknownValue: unknownValue)
        case .scale(let selection, let method):
            let names = try selection.resolve(in: table)
            var offsets: [Double] = [], scales: [Double] = []
            for name in names {
                guard let values = table[name]!.numericValues else {
                    throw LearnError.data("scale needs numbers, and column '\(name)' is categorical; encode it first with one_hot or ordinal")
                }
                let (offset, scale) = try Self.scaling(values, method: method, column: name)
                offsets.append(offset)
                scales.append(scale)
            }
            return .scale(columns: names, offsets: offsets, scales: scales)
        }
    }

    /// Distinct values in scikit-learn's order: numbers ascending, text by code point, and the
    /// missing value last when present.
    static func sortedCategories(of column: Column) -> [String] {
        var hasMissing = false
        switch column.storage {
        case .numeric(let values):
            var distinct = Set<Double>()
            for value in values {
                if value.isNaN { hasMissing = true } else { distinct.insert(value) }
            }
            let texts = distinct.sorted().map { column.kind == .boolean ? ($0 == 0 ? "false" : "true") : formatNumber($0) }
            return texts + (hasMissing ? [CategoryKey.missing] : [])
        case .categorical(let categorical):
            var used = [Bool](repeating: false, count: categorical.categories.count)
            for code in categorical.codes {
                if code == CategoricalColumn.missing { hasMissing = true } else { used[Int(code)] = true }
            }
            let texts = categorical.categories.indices.filter { used[$0] }.map { categorical.categories[$0] }
            return texts.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) } + (hasMissing ? [CategoryKey.missing] : [])
        }
    }

    private static func fillValue(for column: Column, strategy: ImputeStrategy, constant: FillValue?) throws(LearnError) -> FillValue {
        switch column.storage {
        case .numeric(let values):
            let present = values.filter { !$0.isNaN }
            switch strategy {
            case .constant:
                switch constant {
                case .number(let number)?: return .number(number)
                case .text(let text)?: throw LearnError.data("column '\(column.name)' is numeric, so its fill_value must be a number, not '\(text)'")
                case nil: return .number(0)
                }
            case .mean, .median, .mostFrequent:
                guard !present.isEmpty else {
                    throw LearnError.data("column '\(column.name)' has no values in the training data, so \(strategy.rawValue) imputation has nothing to learn from; drop it in data.drop")
                }
                if strategy == .mean { return .number(present.reduce(0, +) / Double(present.count)) }
                let sorted = present.sorted()
                if strategy == .median {
                    let middle = sorted.count / 2
                    return .number(sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2)
                }
                // Most frequent; ties go to the smallest value, as scikit-learn's mode.
                var best = sorted[0], bestCount = 0, index = 0
                while index < sorted.count {
                    var end = index
                    while end < sorted.count, sorted[end] == sorted[index] { end += 1 }
                    if end - index > bestCount { best = sorted[index]; bestCount = end - index }
                    index = end
                }
                return .number(best)
            }
        case .categorical(let categorical):
            switch strategy {
            case .mean, .median:
                throw LearnError.data("\(strategy.rawValue) imputation needs numbers, and column '\(column.name)' is categorical; use strategy: most_frequent or constant for it")
            case .constant:
                switch constant {
                case .text(let text)?: return .text(text)
                case .number(let number)?: return .text(formatNumber(number))
                case nil: return .text("missing_value")
                }
            case .mostFrequent:
                var counts = [Int](repeating: 0, count: categorical.categories.count)
                for code in categorical.codes where code != CategoricalColumn.missing { counts[Int(code)] += 1 }
                guard let top = counts.max(), top > 0 else {
                    throw LearnError.data("column '\(column.name)' has no values in the training data, so most_frequent imputation has nothing to learn from; drop it in data.drop")
                }
                // Ties go to the smallest text, as scikit-learn's mode.
                let candidates = counts.indices.filter { counts[$0] == top }.map { categorical.categories[$0] }
                return .text(candidates.min { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }!)
            }
        }
    }

    /// (offset, scale) such that (x - offset) / scale is the scaled value; a zero spread scales by 1,
    /// as scikit-learn does.
    private static func scaling(_ values: [Double], method: ScaleMethod, column: String) throws(LearnError) -> (Double, Double) {
        let present = values.filter { !$0.isNaN }
        guard !present.isEmpty else {
            throw LearnError.data("column '\(column)' has no values in the training data to learn scaling from; impute or drop it")
        }
        switch method {
        case .standard:
            let mean = present.reduce(0, +) / Double(present.count)
            let variance = present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count)
            let deviation = variance.squareRoot()
            return (mean, deviation > 10 * Double.ulpOfOne * max(abs(mean), 1) ? deviation : 1)
        case .minmax:
            let low = present.min()!, high = present.max()!
            return (low, high > low ? high - low : 1)
        case .robust:
            let sorted = present.sorted()
            let median = Quantile.linear(sorted, 0.5)
            let spread = Quantile.linear(sorted, 0.75) - Quantile.linear(sorted, 0.25)
            return (median, spread > 0 ? spread : 1)
        }
    }
}
