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
            let (mean, std) = Moments.meanAndStandardDeviation(present)
            self.mean = mean
            self.std = std
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
        let a = sorted[lower], b = sorted[upper], t = position - Double(lower)
        let result = a + (b - a) * t
        if result.isFinite || a.isNaN || b.isNaN { return result }
        // Extremes only: infinite neighbours (inf - inf is NaN) or a difference that overflows.
        if t == 0 || a == b { return a }
        if a.isFinite, b.isFinite { return a * (1 - t) + b * t }
        if a.isFinite { return b }
        if b.isFinite { return a }
        return .nan  // between -inf and +inf: undefined, as numpy says
    }
}

/// Mean, standard deviation and root mean square that stay finite whenever the true values
/// are: the plain two-pass formulas first (pandas' and scikit-learn's arithmetic bit for bit on
/// ordinary data); a sum or a square that overflows is redone scaled.
public enum Moments {
    /// `std` divides by n - `deltaDegrees` (1: sample, as pandas; 0: population, as numpy);
    /// nil when there are not more values than `deltaDegrees`.
    public static func meanAndStandardDeviation(_ values: [Double], deltaDegrees: Int = 1) -> (mean: Double, std: Double?) {
        let n = Double(values.count)
        var mean = values.reduce(0, +) / n
        if !mean.isFinite, values.allSatisfy(\.isFinite) {
            mean = values.reduce(0) { $0 + $1 / n }
        }
        guard values.count > deltaDegrees else { return (mean, nil) }
        guard mean.isFinite else { return (mean, .nan) }
        let divisor = n - Double(deltaDegrees)
        let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / divisor).squareRoot()
        if std.isFinite { return (mean, std) }
        return (mean, scaledRootOfSquares(values.map { $0 - mean }, dividedBy: divisor) ?? .nan)
    }

    /// sqrt(Σv² / divisor) computed as m·sqrt(Σ(v/m)² / divisor) with m the largest |v|: finite
    /// whenever the true value is. Nil when a value is itself not finite.
    public static func scaledRootOfSquares(_ values: [Double], dividedBy divisor: Double) -> Double? {
        guard values.allSatisfy(\.isFinite) else { return nil }
        let largest = values.reduce(0) { Swift.max($0, abs($1)) }
        guard largest > 0 else { return 0 }
        let scaled = values.reduce(0.0) { $0 + ($1 / largest) * ($1 / largest) } / divisor
        return largest * scaled.squareRoot()
    }
}
