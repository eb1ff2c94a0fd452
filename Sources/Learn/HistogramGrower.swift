import Tabular
/// Grows one boosting tree leaf-wise on binned features (the design of scikit-learn's
/// `HistGradientBoosting` and LightGBM): per-node gradient/hessian histograms, the larger
/// child's histogram by subtraction from its parent's, and for each split the learned
/// direction of missing values. Histograms run over `BinnedColumns` (binary features bundled),
/// split searches over the original features; both in parallel, each result in its own slot,
/// so trees do not depend on the thread count.
struct HistogramGrower {
    struct Settings {
        var maxLeafNodes: Int?
        var maxDepth: Int?
        var minSamplesLeaf: Int
        var l2: Double
        var learningRate: Double
        var minHessian = 1e-3
        var threads: Int
        /// Every hessian is 1 (squared error): histograms count rows instead of summing hessians.
        var constantHessian = false
    }

    /// Row-major bins per column, so one pass over a node's rows reads each row's bins from
    /// one cache line.
    let columns: BinnedColumns
    let thresholds: [[Double]]
    var settings: Settings

    private var featureCount: Int { thresholds.count }
    private var columnCount: Int { columns.columnCount }

    /// The same grower working on one thread (when trees grow in parallel instead).
    var singleThreaded: HistogramGrower {
        var copy = self
        copy.settings.threads = 1
        return copy
    }

    /// Gradient and hessian sums and counts per (column, bin), columns at `columns.offsets`.
    private struct Histogram {
        var sums: [Double]  // (g, h) pairs
        var counts: [UInt32]
    }

    private struct SplitInfo {
        var gain: Double
        var feature: Int
        var bin: Int
        var missingLeft: Bool
        var leftGradient: Double, leftHessian: Double
    }

    /// Rows in node order with their bins (row-major) and gradient pairs. Pairs are stored
    /// in single precision, as scikit-learn and LightGBM store gradients, halving the bytes
    /// each split moves; histograms still sum them in double precision.
    private struct Work {
        var rows: [UInt32]
        var bins: [UInt8]
        var pairs: [Float]
    }

    private struct Node {
        var start: Int, end: Int
        var depth: Int
        var gradient: Double, hessian: Double
        var histogram: Histogram?
        var split: SplitInfo?
        var id: Int
    }

    struct Outcome {
        var tree: BoostingTree
        /// Training rows of each leaf (ranges of the sample order) and the leaf's value.
        var leaves: [(start: Int, end: Int, value: Double)]
        var gains: [Double]
    }

    /// `samples` lists the training rows (reordered in place so each leaf's rows are contiguous).
    /// `pairs` holds each row's gradient and hessian: pairs[2 * row], pairs[2 * row + 1].
    func grow(pairs: [Double], samples: inout [UInt32]) -> Outcome {
        // Working copies in node order: each node's rows (their bins and gradient pairs) stay
        // contiguous, so histograms stream through memory instead of jumping between rows.
        let m = samples.count, columnCount = self.columnCount
        var work = Work(rows: samples, bins: [UInt8](repeating: 0, count: m * columnCount), pairs: [Float](repeating: 0, count: 2 * m))
        let identity = m == columns.rowCount && samples.first == 0 && samples.last.map { Int($0) == m - 1 } == true
        // Row ranges copy in parallel, each into its own part of the working copy.
        let parts = RowParallelism.ranges(rows: m, available: settings.threads)
        let sampleOrder = samples, bins = columns.bins
        work.bins.withUnsafeMutableBufferPointer { binTarget in
            work.pairs.withUnsafeMutableBufferPointer { pairTarget in
                let binBase = SharedPointer(binTarget.baseAddress!), pairBase = SharedPointer(pairTarget.baseAddress!)
                ParallelWork.forEach(count: parts.count, threads: parts.count) { part in
                    let range = parts[part]
                    bins.withUnsafeBufferPointer { source in
                        if identity {
                            // Every row, in order (no early-stopping hold-out): one block copy.
                            (binBase.base + range.lowerBound &* columnCount).update(from: source.baseAddress! + range.lowerBound &* columnCount, count: range.count &* columnCount)
                        } else {
                            for k in range {
                                (binBase.base + k &* columnCount).update(from: source.baseAddress! + Int(sampleOrder[k]) &* columnCount, count: columnCount)
                            }
                        }
                    }
                    for k in range {
                        pairBase.base[2 &* k] = Float(pairs[2 &* Int(sampleOrder[k])])
                        pairBase.base[2 &* k &+ 1] = Float(pairs[2 &* Int(sampleOrder[k]) &+ 1])
                    }
                }
            }
        }
        var scratch = Work(rows: [UInt32](repeating: 0, count: m), bins: [UInt8](repeating: 0, count: m * columnCount), pairs: [Float](repeating: 0, count: 2 * m))
        var tree = BoostingTree(features: [-1], thresholds: [0], missingLeft: [false], left: [-1], right: [-1], values: [0])
        var gains = [Double](repeating: 0, count: featureCount)
        var totalGradient = 0.0, totalHessian = 0.0
        for k in 0..<m {
            totalGradient += Double(work.pairs[2 * k])
            totalHessian += Double(work.pairs[2 * k + 1])
        }
        var root = Node(start: 0, end: samples.count, depth: 0, gradient: totalGradient, hessian: totalHessian, histogram: nil, split: nil, id: 0)
        root.histogram = histogram(work, 0, m)
        root.split = bestSplit(root)
        var open = [root]
        var leaves: [Node] = []
        var leafCount = 1
        while !open.isEmpty {
            // The open leaf with the largest gain (lowest id on ties) splits next.
            var pick = -1
            for (index, node) in open.enumerated() {
                guard let split = node.split else { continue }
                if pick < 0 || split.gain > open[pick].split!.gain { pick = index }
            }
            if pick < 0 || (settings.maxLeafNodes.map { leafCount >= $0 } ?? false) { break }
            var node = open.remove(at: pick)
            let split = node.split!
            let middle = partition(&work, &scratch, node.start, node.end, split)
            gains[split.feature] += split.gain
            leafCount += 1
            let leftId = tree.features.count, rightId = leftId + 1
            for _ in 0..<2 {
                tree.features.append(-1); tree.thresholds.append(0); tree.missingLeft.append(false)
                tree.left.append(-1); tree.right.append(-1); tree.values.append(0)
            }
            tree.features[node.id] = Int32(split.feature)
            tree.thresholds[node.id] = split.bin < thresholds[split.feature].count ? thresholds[split.feature][split.bin] : .infinity
            tree.missingLeft[node.id] = split.missingLeft
            tree.left[node.id] = Int32(leftId)
            tree.right[node.id] = Int32(rightId)
            var left = Node(start: node.start, end: middle, depth: node.depth + 1, gradient: split.leftGradient, hessian: split.leftHessian, histogram: nil, split: nil, id: leftId)
            var right = Node(start: middle, end: node.end, depth: node.depth + 1, gradient: node.gradient - split.leftGradient, hessian: node.hessian - split.leftHessian, histogram: nil, split: nil, id: rightId)
            let leftSplittable = canSplit(left), rightSplittable = canSplit(right)
            if leftSplittable || rightSplittable {
                // Build the smaller child's histogram; the larger one is the parent's minus it.
                var large = node.histogram!
                node.histogram = nil
                let leftSmaller = middle - node.start <= node.end - middle
                let small = leftSmaller ? histogram(work, node.start, middle) : histogram(work, middle, node.end)
                subtract(&large, small)
                left.histogram = leftSmaller ? small : large
                right.histogram = leftSmaller ? large : small
            }
            if leftSplittable { left.split = bestSplit(left) }
            if rightSplittable { right.split = bestSplit(right) }
            for child in [left, right] {
                if child.split != nil { open.append(child) } else { leaves.append(child) }
            }
        }
        leaves += open
        var ranges: [(start: Int, end: Int, value: Double)] = []
        for leaf in leaves {
            let value = -settings.learningRate * leaf.gradient / (leaf.hessian + settings.l2 + 1e-15)
            tree.values[leaf.id] = value
            ranges.append((leaf.start, leaf.end, value))
        }
        samples = work.rows
        return Outcome(tree: tree, leaves: ranges, gains: gains)
    }

    private func canSplit(_ node: Node) -> Bool {
        if let maxDepth = settings.maxDepth, node.depth >= maxDepth { return false }
        return node.end - node.start >= 2 * settings.minSamplesLeaf && node.hessian >= 2 * settings.minHessian
    }

    private func histogram(_ work: Work, _ start: Int, _ end: Int) -> Histogram {
        let count = end - start
        let columnCount = self.columnCount, constantHessian = settings.constantHessian
        let offsets = columns.offsets, totalBins = columns.totalBins
        // Threads take disjoint blocks of columns; every column's sums run in row order,
        // so the histogram is the same whatever the number of blocks.
        let blocks = count * columnCount >= 100_000 ? min(settings.threads, columnCount) : 1
        let parts = ParallelWork.map(count: blocks, threads: blocks) { block -> ([Double], [UInt32]) in
            let first = block * columnCount / blocks, last = (block + 1) * columnCount / blocks
            let width = last - first
            let binBase = offsets[first], binEnd = last < columnCount ? offsets[last] : totalBins
            let bins = binEnd - binBase
            var sums = [Double](repeating: 0, count: bins * 2)
            var counts = [UInt32](repeating: 0, count: bins)
            work.bins.withUnsafeBufferPointer { binValues in
                work.pairs.withUnsafeBufferPointer { gradients in
                    offsets.withUnsafeBufferPointer { columnOffsets in
                        sums.withUnsafeMutableBufferPointer { target in
                            counts.withUnsafeMutableBufferPointer { tally in
                                // Wrapping arithmetic: indices are bounded by construction, and
                                // overflow checks would double the cost of this loop.
                                let sumBase = target.baseAddress!, countBase = tally.baseAddress!
                                let pairBase = gradients.baseAddress!
                                let offsetBase = columnOffsets.baseAddress! + first
                                var rowBins = binValues.baseAddress! + (start &* columnCount &+ first)
                                if constantHessian {
                                    for k in start..<end {
                                        let gradient = Double(pairBase[2 &* k])
                                        for c in 0..<width {
                                            let index = offsetBase[c] &- binBase &+ Int(rowBins[c])
                                            sumBase[2 &* index] += gradient
                                            countBase[index] &+= 1
                                        }
                                        rowBins += columnCount
                                    }
                                    // Hessian sums are the row counts.
                                    for index in 0..<bins { sumBase[2 &* index &+ 1] = Double(countBase[index]) }
                                } else {
                                    for k in start..<end {
                                        let gradient = Double(pairBase[2 &* k]), hessian = Double(pairBase[2 &* k &+ 1])
                                        for c in 0..<width {
                                            let index = offsetBase[c] &- binBase &+ Int(rowBins[c])
                                            sumBase[2 &* index] += gradient
                                            sumBase[2 &* index &+ 1] += hessian
                                            countBase[index] &+= 1
                                        }
                                        rowBins += columnCount
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return (sums, counts)
        }
        if parts.count == 1 { return Histogram(sums: parts[0].0, counts: parts[0].1) }
        var sums = [Double](), counts = [UInt32]()
        sums.reserveCapacity(totalBins * 2)
        counts.reserveCapacity(totalBins)
        for part in parts {
            sums += part.0
            counts += part.1
        }
        return Histogram(sums: sums, counts: counts)
    }

    /// parent -= child, in place (the parent's histogram becomes the larger child's).
    private func subtract(_ parent: inout Histogram, _ child: Histogram) {
        parent.sums.withUnsafeMutableBufferPointer { target in
            child.sums.withUnsafeBufferPointer { source in
                for index in 0..<target.count { target[index] -= source[index] }
            }
        }
        parent.counts.withUnsafeMutableBufferPointer { target in
            child.counts.withUnsafeBufferPointer { source in
                for index in 0..<target.count { target[index] &-= source[index] }
            }
        }
    }

    private func bestSplit(_ node: Node) -> SplitInfo? {
        guard canSplit(node), let histogram = node.histogram else { return nil }
        let l2 = settings.l2, minLeaf = settings.minSamplesLeaf, minHessian = settings.minHessian
        let nodeCount = node.end - node.start
        let parentScore = node.gradient * node.gradient / (node.hessian + l2)
        let workers = columns.totalBins >= 20_000 ? settings.threads : 1
        let candidates = ParallelWork.map(count: featureCount, threads: workers) { feature -> SplitInfo? in
            histogram.sums.withUnsafeBufferPointer { sums in
                histogram.counts.withUnsafeBufferPointer { counts in
                    let base = columns.offsets[columns.featureColumn[feature]]
                    if let slot = columns.featureSlot[feature] {
                        // A bundled binary feature: its second bin is the bundle's bin `slot`, its
                        // first bin the rest of the node. The one split sends the first bin left.
                        let rightGradient = sums[2 * (base + slot)], rightHessian = sums[2 * (base + slot) + 1]
                        let rightCount = Int(counts[base + slot]), leftCount = nodeCount - rightCount
                        let leftGradient = node.gradient - rightGradient, leftHessian = node.hessian - rightHessian
                        guard leftCount >= minLeaf, rightCount >= minLeaf, leftHessian >= minHessian, rightHessian >= minHessian else { return nil }
                        let gain = leftGradient * leftGradient / (leftHessian + l2) + rightGradient * rightGradient / (rightHessian + l2) - parentScore
                        guard gain > 0 else { return nil }
                        return SplitInfo(gain: gain, feature: feature, bin: 0, missingLeft: leftCount >= rightCount, leftGradient: leftGradient, leftHessian: leftHessian)
                    }
                    let valueBins = columns.valueBins[feature]
                    let missingIndex = base + valueBins
                    let missingGradient = sums[2 * missingIndex], missingHessian = sums[2 * missingIndex + 1]
                    let missingCount = Int(counts[missingIndex])
                    let variants = missingCount > 0 ? 2 : 1
                    var best: SplitInfo?
                    var gradient = 0.0, hessian = 0.0, count = 0
                    // The last value bin sends every value left: only a split when missing values go right.
                    for bin in 0..<valueBins {
                        let binCount = Int(counts[base + bin])
                        // An empty bin leaves the split where the previous bin put it.
                        if binCount == 0 { continue }
                        gradient += sums[2 * (base + bin)]
                        hessian += sums[2 * (base + bin) + 1]
                        count += binCount
                        if count < minLeaf && missingCount == 0 { continue }
                        if variants == 1 && nodeCount - count < minLeaf { break }
                        for variant in 0..<variants {
                            let missingLeft = variant == 1
                            let leftGradient = missingLeft ? gradient + missingGradient : gradient
                            let leftHessian = missingLeft ? hessian + missingHessian : hessian
                            let leftCount = missingLeft ? count + missingCount : count
                            let rightCount = nodeCount - leftCount
                            let rightHessian = node.hessian - leftHessian
                            guard leftCount >= minLeaf, rightCount >= minLeaf, leftHessian >= minHessian, rightHessian >= minHessian else { continue }
                            let rightGradient = node.gradient - leftGradient
                            let gain = leftGradient * leftGradient / (leftHessian + l2) + rightGradient * rightGradient / (rightHessian + l2) - parentScore
                            if gain > (best?.gain ?? 0) {
                                // Without missing values in training, missing rows follow the larger child.
                                let direction = missingCount > 0 ? missingLeft : leftCount >= rightCount
                                best = SplitInfo(gain: gain, feature: feature, bin: bin, missingLeft: direction, leftGradient: leftGradient, leftHessian: leftHessian)
                            }
                        }
                    }
                    return best
                }
            }
        }
        var best: SplitInfo?
        for candidate in candidates {
            if let candidate, candidate.gain > (best?.gain ?? 0) { best = candidate }
        }
        return best
    }

    /// Copies one row's bins: whole words, then the tail (a call to memcpy per row costs more).
    @inline(__always)
    private static func copyRow(from source: UnsafeMutablePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, _ count: Int) {
        var offset = 0
        while offset &+ 8 <= count {
            UnsafeMutableRawPointer(target + offset).storeBytes(of: UnsafeRawPointer(source + offset).loadUnaligned(as: UInt64.self), as: UInt64.self)
            offset &+= 8
        }
        while offset < count {
            target[offset] = source[offset]
            offset &+= 1
        }
    }

    /// Where a split sends a row's bin: a bundled feature's rows go right in its own bin, a
    /// plain one's by the threshold bin, missing values (the bin after the value bins) by the
    /// learned direction.
    private struct Routing: Sendable {
        var column: Int, slot: Int, missingBin: Int, missingLeft: Bool, threshold: Int

        @inline(__always)
        func goesLeft(_ bin: Int) -> Bool {
            slot >= 0 ? bin != slot : (bin == missingBin ? missingLeft : bin <= threshold)
        }
    }

    private func routing(_ split: SplitInfo) -> Routing {
        Routing(column: columns.featureColumn[split.feature], slot: columns.featureSlot[split.feature] ?? -1,
                missingBin: columns.valueBins[split.feature], missingLeft: split.missingLeft, threshold: split.bin)
    }

    /// The working copy's and the scratch copy's memory, for the partitions.
    private struct WorkPointers: Sendable {
        var rows: SharedPointer<UInt32>, bins: SharedPointer<UInt8>, pairs: SharedPointer<Float>
        var spareRows: SharedPointer<UInt32>, spareBins: SharedPointer<UInt8>, sparePairs: SharedPointer<Float>
    }

    private static func withPointers(_ work: inout Work, _ scratch: inout Work, _ body: (WorkPointers) -> Void) {
        work.rows.withUnsafeMutableBufferPointer { rows in
            work.bins.withUnsafeMutableBufferPointer { bins in
                work.pairs.withUnsafeMutableBufferPointer { pairs in
                    scratch.rows.withUnsafeMutableBufferPointer { spareRows in
                        scratch.bins.withUnsafeMutableBufferPointer { spareBins in
                            scratch.pairs.withUnsafeMutableBufferPointer { sparePairs in
                                body(WorkPointers(rows: SharedPointer(rows.baseAddress!), bins: SharedPointer(bins.baseAddress!), pairs: SharedPointer(pairs.baseAddress!),
                                                  spareRows: SharedPointer(spareRows.baseAddress!), spareBins: SharedPointer(spareBins.baseAddress!),
                                                  sparePairs: SharedPointer(sparePairs.baseAddress!)))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Stable partition of work[start..<end] (rows, bins and gradient pairs move together):
    /// rows going left first; returns where the right ones begin. Large nodes split on all
    /// threads (`parallelPartition`), with the same result.
    private func partition(_ work: inout Work, _ scratch: inout Work, _ start: Int, _ end: Int, _ split: SplitInfo) -> Int {
        if end - start >= 16_384 && settings.threads > 1 { return parallelPartition(&work, &scratch, start, end, split) }
        let columnCount = self.columnCount, routing = routing(split)
        var left = start, right = 0
        Self.withPointers(&work, &scratch) { p in
            let routing = routing, column = routing.column, rows = p.rows.base, bins = p.bins.base, pairs = p.pairs.base
            let spareRows = p.spareRows.base, spareBins = p.spareBins.base, sparePairs = p.sparePairs.base
            for k in start..<end {
                if routing.goesLeft(Int(bins[k &* columnCount &+ column])) {
                    if left != k {
                        rows[left] = rows[k]
                        Self.copyRow(from: bins + k &* columnCount, to: bins + left &* columnCount, columnCount)
                        pairs[2 &* left] = pairs[2 &* k]
                        pairs[2 &* left &+ 1] = pairs[2 &* k &+ 1]
                    }
                    left &+= 1
                } else {
                    spareRows[right] = rows[k]
                    Self.copyRow(from: bins + k &* columnCount, to: spareBins + right &* columnCount, columnCount)
                    sparePairs[2 &* right] = pairs[2 &* k]
                    sparePairs[2 &* right &+ 1] = pairs[2 &* k &+ 1]
                    right &+= 1
                }
            }
            (rows + left).update(from: spareRows, count: right)
            (bins + left &* columnCount).update(from: spareBins, count: right &* columnCount)
            (pairs + 2 &* left).update(from: sparePairs, count: 2 &* right)
        }
        return left
    }

    /// The same stable partition on several threads: each part counts its left rows, then
    /// copies its rows to their final places in `scratch` (left ones after the parts before
    /// it, right ones after all left rows), then the range is copied back.
    private func parallelPartition(_ work: inout Work, _ scratch: inout Work, _ start: Int, _ end: Int, _ split: SplitInfo) -> Int {
        let columnCount = self.columnCount, routing = routing(split)
        let parts = ParallelWork.ranges(count: end - start, parts: settings.threads).map { ($0.lowerBound + start)..<($0.upperBound + start) }
        var middle = start
        Self.withPointers(&work, &scratch) { p in
            let lefts = ParallelWork.map(count: parts.count, threads: parts.count) { part -> Int in
                // Locals, not captures: the byte stores below could alias a capture's memory
                // and force a reload of every captured value per row.
                let routing = routing, bins = p.bins.base, column = routing.column
                var count = 0
                for k in parts[part] where routing.goesLeft(Int(bins[k &* columnCount &+ column])) { count &+= 1 }
                return count
            }
            let totalLeft = lefts.reduce(0, +)
            var leftStarts: [Int] = [], rightStarts: [Int] = []
            var left = start, right = start + totalLeft
            for (part, range) in parts.enumerated() {
                leftStarts.append(left)
                rightStarts.append(right)
                left += lefts[part]
                right += range.count - lefts[part]
            }
            let leftFrom = leftStarts, rightFrom = rightStarts
            ParallelWork.forEach(count: parts.count, threads: parts.count) { part in
                let routing = routing, column = routing.column, columnCount = columnCount
                let rows = p.rows.base, bins = p.bins.base, pairs = p.pairs.base
                let spareRows = p.spareRows.base, spareBins = p.spareBins.base, sparePairs = p.sparePairs.base
                var left = leftFrom[part], right = rightFrom[part]
                for k in parts[part] {
                    let target: Int
                    if routing.goesLeft(Int(bins[k &* columnCount &+ column])) {
                        target = left
                        left &+= 1
                    } else {
                        target = right
                        right &+= 1
                    }
                    spareRows[target] = rows[k]
                    Self.copyRow(from: bins + k &* columnCount, to: spareBins + target &* columnCount, columnCount)
                    sparePairs[2 &* target] = pairs[2 &* k]
                    sparePairs[2 &* target &+ 1] = pairs[2 &* k &+ 1]
                }
            }
            ParallelWork.forEach(count: parts.count, threads: parts.count) { part in
                let range = parts[part]
                (p.rows.base + range.lowerBound).update(from: p.spareRows.base + range.lowerBound, count: range.count)
                (p.bins.base + range.lowerBound &* columnCount).update(from: p.spareBins.base + range.lowerBound &* columnCount, count: range.count &* columnCount)
                (p.pairs.base + 2 &* range.lowerBound).update(from: p.sparePairs.base + 2 &* range.lowerBound, count: 2 &* range.count)
            }
            middle = start + totalLeft
        }
        return middle
    }
}
