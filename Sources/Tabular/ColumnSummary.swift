/// Descriptive statistics of one column, as `pandas.DataFrame.describe` reports them.
public struct ColumnSummary: Sendable, Equatable, Codable {
    public var name: String
    public var kind: ColumnKind
    public var count: Int
    public var missing: Int
    public var distinct: Int
    // Numeric and boolean columns.
    public var mean: Double?
    /// Sample standard deviation (n - 1), as pandas.
    public var std: Double?
    public var min: Double?
    public var p25: Double?
    public var median: Double?
    public var p75: Double?
    public var max: Double?
    // Categorical columns: the most frequent value (first seen wins ties) and its count.
    public var top: String?
    public var topCount: Int?

    public init(column: Column) {
        name = column.name
        kind = column.kind
        missing = column.missingCount
        count = column.count - missing
        distinct = 0
        switch column.storage {
        case .numeric(let values):
            var present = values.filter { !$0.isNaN }
            present.sort()
            var distinctCount = 0
            for index in present.indices where index == 0 || present[index] != present[index - 1] { distinctCount += 1 }
            distinct = distinctCount
            guard !present.isEmpty else { return }
            // Two-pass mean and variance for accuracy.
            let mean = present.reduce(0, +) / Double(present.count)
            self.mean = mean
            if present.count > 1 {
                let squares = present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
                std = (squares / Double(present.count - 1)).squareRoot()
            }
            min = present.first
            max = present.last
            p25 = Quantile.linear(present, 0.25)
            median = Quantile.linear(present, 0.5)
            p75 = Quantile.linear(present, 0.75)
        case .categorical(let categorical):
            var counts = [Int](repeating: 0, count: categorical.categories.count)
            for code in categorical.codes where code != CategoricalColumn.missing { counts[Int(code)] += 1 }
            distinct = counts.filter { $0 > 0 }.count
            if let best = counts.indices.max(by: { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }), counts[best] > 0 {
                top = categorical.categories[best]
                topCount = counts[best]
            }
        }
    }

}

/// The shape of a table and a summary of each column.
public struct TableSummary: Sendable, Equatable, Codable {
    public var rows: Int
    public var columns: [ColumnSummary]

    public init(table: Table, threads: Int = ParallelWork.defaultThreadCount) {
        rows = table.rowCount
        let source = table.columns
        columns = ParallelWork.map(count: source.count, threads: threads) { ColumnSummary(column: source[$0]) }
    }
}

public enum Quantile {
    /// The q-quantile of sorted, non-empty values by linear interpolation between closest
    /// ranks (numpy's default, used by pandas and scikit-learn's RobustScaler).
    public static func linear(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
