import Learn
import Packaging
import Tabular

/// Builds the reference profile a bundle carries: summaries of the training rows' input
/// columns, of the model's predictions on them and of the target.
public enum Profiler {
    /// Numeric columns with at most this many distinct training values are also compared as
    /// categories (Evidently's rule: counts, not shapes, are what such columns have).
    public static let fewDistinctValues = 5

    public static func reference(training features: Table, schema: InputSchema, prediction: Prediction, classes: [String]?,
                                 target: Column, task: LearningTask, settings: DriftSettings) throws(LearnError) -> ReferenceProfile {
        let columns = schema.fields.map { field in
            features[field.name].map { column(of: $0) } ?? ColumnProfile(name: field.name, count: 0, missing: features.rowCount, numeric: nil, categories: nil)
        }
        let targetProfile: ColumnProfile
        switch try Target.encode(target, task: task) {
        case .classes(let labels, let names):
            targetProfile = categorical(name: "target", values: labels.map { names[$0] }, missing: 0)
        case .values(let values):
            targetProfile = numeric(name: "target", values: values)
        }
        return ReferenceProfile(rows: features.rowCount, columns: columns, prediction: predictions(prediction, classes: classes),
                                target: targetProfile, settings: settings)
    }

    /// The profile of a model's outputs: class shares (every class, even one never predicted)
    /// or the predicted values.
    public static func predictions(_ prediction: Prediction, classes: [String]?) -> ColumnProfile {
        switch prediction {
        case .classes(let labels, _):
            let names = classes ?? []
            var counts = [Int](repeating: 0, count: names.count)
            for label in labels where counts.indices.contains(label) { counts[label] += 1 }
            let order = names.indices.sorted { names[$0] < names[$1] }
            return ColumnProfile(name: "prediction", count: labels.count, missing: 0, numeric: nil,
                                 categories: CategorySummary(values: order.map { names[$0] }, counts: order.map { counts[$0] }, other: 0))
        case .values(let values):
            return numeric(name: "prediction", values: values)
        }
    }

    public static func column(of column: Column) -> ColumnProfile {
        switch column.storage {
        case .numeric(let values):
            return numeric(name: column.name, values: values)
        case .categorical(let categorical):
            return categoricalColumn(name: column.name, categorical)
        }
    }

    private static func categoricalColumn(name: String, _ column: CategoricalColumn) -> ColumnProfile {
        var counts = [Int](repeating: 0, count: column.categories.count)
        var missing = 0
        for code in column.codes {
            if code == CategoricalColumn.missing { missing += 1 } else { counts[Int(code)] += 1 }
        }
        return summarize(name: name, pairs: zip(column.categories, counts).filter { $0.1 > 0 }, missing: missing)
    }

    static func categorical(name: String, values: [String], missing: Int) -> ColumnProfile {
        var counts: [String: Int] = [:]
        for value in values { counts[value, default: 0] += 1 }
        return summarize(name: name, pairs: counts.map { ($0.key, $0.value) }, missing: missing)
    }

    /// Keeps the most frequent categories (ties by name), sorted by name.
    private static func summarize(name: String, pairs: [(String, Int)], missing: Int) -> ColumnProfile {
        let ranked = pairs.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let kept = ranked.prefix(CategorySummary.limit).sorted { $0.0 < $1.0 }
        let other = ranked.dropFirst(CategorySummary.limit).reduce(0) { $0 + $1.1 }
        let count = pairs.reduce(0) { $0 + $1.1 }
        return ColumnProfile(name: name, count: count, missing: missing, numeric: nil,
                             categories: CategorySummary(values: kept.map(\.0), counts: kept.map(\.1), other: other))
    }

    static func numeric(name: String, values: [Double]) -> ColumnProfile {
        let present = values.filter { !$0.isNaN }.sorted()
        let missing = values.count - present.count
        guard !present.isEmpty else { return ColumnProfile(name: name, count: 0, missing: missing, numeric: nil, categories: nil) }
        let n = Double(present.count)
        var sum = 0.0
        for value in present { sum += value }
        let mean = sum / n
        var squares = 0.0
        for value in present { squares += (value - mean) * (value - mean) }
        let points: [Double]
        let exact = present.count <= NumericSummary.pointLimit
        if exact {
            points = present
        } else {
            // Equal-mass quantiles: the value at the middle of each 1/limit of the rows.
            let limit = NumericSummary.pointLimit
            points = (0..<limit).map { present[min(present.count - 1, Int((Double($0) + 0.5) * n / Double(limit)))] }
        }
        var edges: [Double] = []
        for decile in 1...9 {
            let edge = present[Int(Double(decile) / 10 * (n - 1))]
            if edges.last.map({ edge > $0 }) ?? true { edges.append(edge) }
        }
        if edges.last == present.last { edges.removeLast() }
        let binCounts = binned(present, edges: edges)
        var distinct: [Double] = []
        for value in present where distinct.last != value {
            distinct.append(value)
            if distinct.count > fewDistinctValues { break }
        }
        var categories: CategorySummary?
        if distinct.count <= fewDistinctValues {
            let counts = distinct.map { value in present.count { $0 == value } }
            let names = distinct.map(formatNumber)
            let order = names.indices.sorted { names[$0] < names[$1] }
            categories = CategorySummary(values: order.map { names[$0] }, counts: order.map { counts[$0] }, other: 0)
        }
        return ColumnProfile(name: name, count: present.count, missing: missing,
                             numeric: NumericSummary(mean: mean, standardDeviation: (squares / n).squareRoot(), minimum: present[0], maximum: present[present.count - 1],
                                                     points: points, exact: exact, edges: edges, binCounts: binCounts),
                             categories: categories)
    }

    /// Rows per bin: a value equal to an edge counts in the bin below it.
    public static func binned(_ values: [Double], edges: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: edges.count + 1)
        for value in values where !value.isNaN {
            var low = 0, high = edges.count
            while low < high {
                let middle = (low + high) / 2
                if edges[middle] < value { low = middle + 1 } else { high = middle }
            }
            counts[low] += 1
        }
        return counts
    }
}
