import Tabular
/// Maps each feature's values to at most `maxBins` bins by quantiles (scikit-learn's
/// `_BinMapper`): with few distinct values, one bin per value split at midpoints; otherwise
/// thresholds at evenly spaced percentiles. Missing values get their own bin, `maxBins`.
/// A native categorical feature of k categories (codes 0..<k) has one bin per code; a value
/// that is no such code is binned as missing.
public struct FeatureBinner: Sendable, Equatable, Codable {
    /// Per feature: a value goes to the first bin whose threshold is >= it.
    public var thresholds: [[Double]]
    public var maxBins: Int
    /// Per feature: its number of categories when it is native categorical, else 0.
    public var categoryCounts: [Int]

    public var missingBin: Int { maxBins }

    /// Bins fitted on the rows `rows` of `x` (ascending; nil: every row), read in place rather
    /// than copied out. `categoryCounts`: empty, or per feature as the property (each at
    /// most `maxBins`).
    init(_ x: Matrix, rows fitRows: [Int]? = nil, maxBins: Int, seed: UInt64, threads: Int = 1, categoryCounts: [Int] = []) {
        self.maxBins = maxBins
        self.categoryCounts = categoryCounts.isEmpty ? [Int](repeating: 0, count: x.columns) : categoryCounts
        precondition(self.categoryCounts.count == x.columns && self.categoryCounts.allSatisfy { $0 <= maxBins })
        // Binning looks at 200,000 rows at most, as scikit-learn's subsample (the same rows
        // whether `x` holds only the fitting rows or they are named: the shuffle moves
        // positions, and ascending rows sort as their positions do).
        var rows = fitRows ?? Array(0..<x.rows)
        if rows.count > 200_000 {
            var generator = SeededGenerator(seed: seed, stream: "binning subsample")
            generator.shuffle(&rows)
            rows = Array(rows.prefix(200_000)).sorted()
        }
        let sampled = rows
        // Threads take blocks of features; each block's few-valued scan reads its part of
        // every row in row order (a column at a time would touch a cache line per value).
        let blocks = ParallelWork.ranges(count: x.columns, parts: threads)
        let counts = self.categoryCounts
        let few = ParallelWork.map(count: blocks.count, threads: threads) { block in
            Self.fewDistinctValues(x, features: blocks[block], rows: sampled, limit: maxBins, skipping: counts)
        }.flatMap { $0 }
        thresholds = ParallelWork.map(count: x.columns, threads: threads) { feature in
            if counts[feature] > 0 { return (0..<(counts[feature] - 1)).map { Double($0) + 0.5 } }
            if let distinct = few[feature] { return Self.midpoints(distinct) }
            return Self.quantileThresholds(sampled.map { x[$0, feature] }, maxBins: maxBins)
        }
    }

    /// A feature's thresholds from its values by sorting them all: one per adjacent pair of
    /// distinct values when there are at most `maxBins`, else at quantiles.
    static func quantileThresholds(_ column: [Double], maxBins: Int) -> [Double] {
        let values = RadixSort.ascending(column.filter { !$0.isNaN })
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

    /// The sorted distinct non-missing values of each feature of `features` that has at most
    /// `limit` of them; nil for the others (each found out after a short scan). One pass over
    /// the rows keeps every feature's values sorted. One-hot and small-integer columns are most
    /// of a wide table: this spares sorting all their values, and gives the thresholds the sort
    /// would (equal values merge either way, and -0 and +0 give the same midpoints).
    /// Features with a nonzero `skipping[feature]` (native categorical: their bins are their
    /// codes) are not scanned and come back nil.
    static func fewDistinctValues(_ x: Matrix, features: Range<Int>, rows: [Int], limit: Int, skipping: [Int] = []) -> [[Double]?] {
        let width = features.count, columns = x.columns, capacity = limit + 1
        // Per feature: its sorted values in a slot of `capacity`, their count (-1: too many).
        var found = [Double](repeating: 0, count: width * capacity)
        var counts = features.map { skipping.isEmpty || skipping[$0] == 0 ? 0 : -1 }
        x.values.withUnsafeBufferPointer { values in
            found.withUnsafeMutableBufferPointer { found in
                counts.withUnsafeMutableBufferPointer { counts in
                    var open = counts.filter { $0 == 0 }.count
                    for row in rows where open > 0 {
                        let rowValues = values.baseAddress! + (row &* columns &+ features.lowerBound)
                        for offset in 0..<width where counts[offset] >= 0 {
                            let value = rowValues[offset]
                            if value.isNaN { continue }
                            let distinct = found.baseAddress! + offset &* capacity, count = counts[offset]
                            var low = 0, high = count
                            while low < high {
                                let middle = (low &+ high) &>> 1
                                if distinct[middle] < value { low = middle &+ 1 } else { high = middle }
                            }
                            if low < count, distinct[low] == value { continue }
                            if count == limit {
                                counts[offset] = -1
                                open &-= 1
                                continue
                            }
                            (distinct + low + 1).update(from: distinct + low, count: count &- low)
                            distinct[low] = value
                            counts[offset] = count &+ 1
                        }
                    }
                }
            }
        }
        return (0..<width).map { offset in
            counts[offset] < 0 ? nil : Array(found[(offset * capacity)..<(offset * capacity + counts[offset])])
        }
    }

    /// Bin indices, row-major: bins[row * features + feature]. Threads take ranges of rows,
    /// reading and writing both matrices in order.
    func transform(_ x: Matrix, threads: Int) -> [UInt8] {
        let rows = x.rows, columns = x.columns, missing = UInt8(maxBins)
        let table = ThresholdTable(thresholds)
        let categoryCounts = self.categoryCounts, anyCategorical = categoryCounts.contains { $0 > 0 }
        let parts = ParallelWork.ranges(count: rows, parts: rows * columns >= 100_000 ? threads : 1)
        return [UInt8](unsafeUninitializedCapacity: rows * columns) { output, initialized in
            let target = SharedPointer(output.baseAddress!)
            ParallelWork.forEach(count: parts.count, threads: parts.count) { part in
                x.values.withUnsafeBufferPointer { values in
                    table.withSearch { bin in
                        for row in parts[part] {
                            for feature in 0..<columns {
                                let value = values[row &* columns &+ feature]
                                if anyCategorical, categoryCounts[feature] > 0 {
                                    let isCode = value >= 0 && value < Double(categoryCounts[feature]) && value == value.rounded(.towardZero)
                                    target.base[row &* columns &+ feature] = isCode ? UInt8(value) : missing
                                    continue
                                }
                                target.base[row &* columns &+ feature] = value.isNaN ? missing : UInt8(truncatingIfNeeded: bin(value, feature))
                            }
                        }
                    }
                }
            }
            initialized = rows * columns
        }
    }
}
