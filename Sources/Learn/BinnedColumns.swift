/// The binned training matrix the boosting grower reads: one byte per (row, column), where a
/// column is either one feature or a bundle of binary features that are never both in
/// their second bin on one training row (LightGBM's exclusive feature bundling, with no
/// conflicts allowed, so no split changes). One-hot encoded categories are such features: a
/// table of 6 numeric and 8 categorical columns one-hot encoded into ~100 features becomes 14
/// columns, and each histogram pass reads 14 bins per row instead of ~100.
///
/// Bins are compact per column: a feature's value bins, then its missing bin; a bundle's bin
/// 0 means every feature of it is in its first bin, bin k its k-th feature is in its second.
struct BinnedColumns: Sendable {
    /// Column-major: columnBins[column * rowCount + row]. Histograms and partitions read a
    /// column at a time: its rows' bins from one compact array (cache-resident) instead of a
    /// cache line of a row-major matrix per row.
    let columnBins: [UInt8]
    let rowCount: Int
    let columnCount: Int
    /// Bins per column, and where each column's bins start in a histogram.
    let binCounts: [Int]
    let offsets: [Int]
    var totalBins: Int { offsets.last.map { $0 + binCounts.last! } ?? 0 }
    /// Per feature: its column; its bin inside a bundle (nil: the column is the feature's own).
    let featureColumn: [Int]
    let featureSlot: [Int?]
    /// Per feature: bins with values (the missing bin of a plain column comes right after).
    let valueBins: [Int]

    /// Most features a bundle holds: its bins (one per feature, plus the shared first) fit a byte.
    static let maxBundleSize = 254

    /// `bins` as `FeatureBinner.transform` writes them (missing values in `missingBin`);
    /// bundles are decided on `trainingRows`, the only rows the grower reads. Without
    /// `bundling`, every feature keeps its own column (the tests compare both).
    /// Native categorical features (`categorical[feature]`) keep their own columns: a two-category
    /// one split on a set, not on its second bin.
    init(bins source: [UInt8], rowCount: Int, featureCount: Int, valueBins: [Int], missingBin: Int, trainingRows: [Int], bundling: Bool = true,
         categorical: [Bool] = []) {
        // Binary features without a missing value in training, most second-bin rows first.
        // One pass over the rows (the matrix is row-major), all binary features at once.
        let binary = (0..<featureCount).filter { bundling && valueBins[$0] == 2 && !(categorical.isEmpty ? false : categorical[$0]) }
        var secondBinRows = [[Int32]](repeating: [], count: featureCount)
        var candidate = [Bool](repeating: false, count: featureCount)
        for feature in binary { candidate[feature] = true }
        source.withUnsafeBufferPointer { binValues in
            for row in trainingRows {
                let rowBins = binValues.baseAddress! + row &* featureCount
                for feature in binary {
                    let bin = Int(rowBins[feature])
                    if bin == 1 {
                        secondBinRows[feature].append(Int32(row))
                    } else if bin == missingBin {
                        candidate[feature] = false
                    }
                }
            }
        }
        for feature in binary where !candidate[feature] { secondBinRows[feature] = [] }
        let sizes = secondBinRows.map(\.count)
        let order = (0..<featureCount).filter { candidate[$0] }.sorted { (a: Int, b: Int) -> Bool in
            sizes[a] != sizes[b] ? sizes[a] > sizes[b] : a < b
        }
        // Greedy, first bundle that takes the feature without a conflict (LightGBM's order).
        var bundles: [[Int]] = []
        var occupied: [[Bool]] = []
        for feature in order {
            let rows = secondBinRows[feature]
            var placed = false
            for index in bundles.indices where bundles[index].count < Self.maxBundleSize {
                if rows.contains(where: { occupied[index][Int($0)] }) { continue }
                bundles[index].append(feature)
                for row in rows { occupied[index][Int(row)] = true }
                placed = true
                break
            }
            if !placed {
                var mask = [Bool](repeating: false, count: rowCount)
                for row in rows { mask[Int(row)] = true }
                bundles.append([feature])
                occupied.append(mask)
            }
        }
        // Columns in feature order of their first feature; a bundle of one stays a plain column.
        var columnOfFeature = [Int](repeating: -1, count: featureCount)
        var slotOfFeature = [Int?](repeating: nil, count: featureCount)
        var members: [[Int]] = []
        // -1: the feature keeps its own column.
        var bundleOfFeature = [Int](repeating: -1, count: featureCount)
        for (index, bundle) in bundles.enumerated() where bundle.count > 1 {
            for feature in bundle { bundleOfFeature[feature] = index }
        }
        var bundleColumn = [Int](repeating: -1, count: bundles.count)
        for feature in 0..<featureCount {
            if bundleOfFeature[feature] < 0 {
                columnOfFeature[feature] = members.count
                members.append([feature])
            } else {
                let bundle = bundleOfFeature[feature]
                if bundleColumn[bundle] < 0 {
                    bundleColumn[bundle] = members.count
                    members.append(bundles[bundle].sorted())
                }
                columnOfFeature[feature] = bundleColumn[bundle]
            }
        }
        var binCounts: [Int] = []
        for features in members {
            if bundleOfFeature[features[0]] < 0 {
                binCounts.append(valueBins[features[0]] + 1)
            } else {
                for (position, feature) in features.enumerated() { slotOfFeature[feature] = position + 1 }
                binCounts.append(features.count + 1)
            }
        }
        var offsets: [Int] = []
        var next = 0
        for count in binCounts {
            offsets.append(next)
            next += count
        }
        let columnCount = members.count
        var byColumn = [UInt8](repeating: 0, count: rowCount * columnCount)
        // Per feature: its slot in a bundle (0: its own column) and its missing bin there.
        let slots = slotOfFeature.map { UInt8($0 ?? 0) }, missingBins = valueBins.map { UInt8(truncatingIfNeeded: $0) }
        source.withUnsafeBufferPointer { binValues in
            byColumn.withUnsafeMutableBufferPointer { columnMajor in
                for row in 0..<rowCount {
                    let rowBins = binValues.baseAddress! + row &* featureCount
                    for feature in 0..<featureCount {
                        let column = columnOfFeature[feature], bin = rowBins[feature]
                        let packedBin: UInt8
                        if slots[feature] > 0 {
                            // Second-bin rows carry the feature's slot; the others keep what another member wrote.
                            guard bin == 1 else { continue }
                            packedBin = slots[feature]
                        } else {
                            packedBin = Int(bin) == missingBin ? missingBins[feature] : bin
                        }
                        columnMajor[column &* rowCount &+ row] = packedBin
                    }
                }
            }
        }
        columnBins = byColumn
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.binCounts = binCounts
        self.offsets = offsets
        featureColumn = columnOfFeature
        featureSlot = slotOfFeature
        self.valueBins = valueBins
    }
}
