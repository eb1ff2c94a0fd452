import Tabular
/// Maps each feature's values to at most `maxBins` bins by quantiles (scikit-learn's
/// `_BinMapper`): with few distinct values, one bin per value split at midpoints; otherwise
/// thresholds at evenly spaced percentiles. Missing values get their own bin, `maxBins`.
public struct FeatureBinner: Sendable, Equatable, Codable {
    /// Per feature: a value goes to the first bin whose threshold is >= it.
    public var thresholds: [[Double]]
    public var maxBins: Int

    public var missingBin: Int { maxBins }

    init(_ x: Matrix, maxBins: Int, seed: UInt64, threads: Int = 1) {
        self.maxBins = maxBins
        // Binning looks at 200,000 rows at most, as scikit-learn's subsample.
        var rows = Array(0..<x.rows)
        if x.rows > 200_000 {
            var generator = SeededGenerator(seed: seed, stream: "binning subsample")
            generator.shuffle(&rows)
            rows = Array(rows.prefix(200_000)).sorted()
        }
        let sampled = rows
        thresholds = ParallelWork.map(count: x.columns, threads: threads) { feature in
            if let distinct = Self.fewDistinctValues(x, feature: feature, rows: sampled, limit: maxBins) {
                return Self.midpoints(distinct)
            }
            return Self.quantileThresholds(sampled.map { x[$0, feature] }, maxBins: maxBins)
        }
    }

    /// A feature's thresholds from its values by sorting them all: one per adjacent pair of
    /// distinct values when there are at most `maxBins`, else at quantiles.
    static func quantileThresholds(_ column: [Double], maxBins: Int) -> [Double] {
        var values = column.filter { !$0.isNaN }
        values.sort()
        var distinct: [Double] = []
        for value in values where distinct.last != value { distinct.append(value) }
        if distinct.count <= maxBins { return midpoints(distinct) }
        // numpy's percentile(method="midpoint") at linspace(0, 100, maxBins + 1)[1:-1].
        return (1..<maxBins).map { index in
            let position = Double(index) / Double(maxBins) * Double(values.count - 1)
            let low = values[Int(position.rounded(.down))], high = values[Int(position.rounded(.up))]
            return min((low + high) / 2, Double.greatestFiniteMagnitude)
        }
    }

    /// One threshold between each pair of adjacent distinct values.
    static func midpoints(_ distinct: [Double]) -> [Double] {
        zip(distinct, distinct.dropFirst()).map { ($0 + $1) * 0.5 }
    }

    /// The sorted distinct non-missing values of a feature when there are at most `limit`, found
    /// in one pass that keeps them sorted; nil (after a short scan) when there are more. One-hot
    /// and small-integer columns are most of a wide table: this spares sorting all their values,
    /// and gives the thresholds the sort would (equal values merge either way, and -0 and +0
    /// give the same midpoints).
    static func fewDistinctValues(_ x: Matrix, feature: Int, rows: [Int], limit: Int) -> [Double]? {
        var distinct: [Double] = []
        distinct.reserveCapacity(limit + 1)
        let columns = x.columns
        return x.values.withUnsafeBufferPointer { values -> [Double]? in
            for row in rows {
                let value = values[row &* columns &+ feature]
                if value.isNaN { continue }
                var low = 0, high = distinct.count
                while low < high {
                    let middle = (low &+ high) >> 1
                    if distinct[middle] < value { low = middle &+ 1 } else { high = middle }
                }
                if low < distinct.count, distinct[low] == value { continue }
                if distinct.count == limit { return nil }
                distinct.insert(value, at: low)
            }
            return distinct
        }
    }

    /// Bin indices, row-major: bins[row * features + feature].
    func transform(_ x: Matrix, threads: Int) -> [UInt8] {
        let parts = ParallelWork.map(count: x.columns, threads: threads) { feature -> [UInt8] in
            let cuts = thresholds[feature]
            return x.values.withUnsafeBufferPointer { values in
                (0..<x.rows).map { row in
                    let value = values[row * x.columns + feature]
                    if value.isNaN { return UInt8(maxBins) }
                    var low = 0, high = cuts.count
                    while low < high {
                        let middle = (low + high) / 2
                        if value <= cuts[middle] { high = middle } else { low = middle + 1 }
                    }
                    return UInt8(low)
                }
            }
        }
        var rowMajor = [UInt8](repeating: 0, count: x.rows * x.columns)
        for (feature, column) in parts.enumerated() {
            for row in 0..<x.rows { rowMajor[row * x.columns + feature] = column[row] }
        }
        return rowMajor
    }
}
