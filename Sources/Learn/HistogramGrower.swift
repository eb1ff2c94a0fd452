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
        /// The fit's threads for its many short steps (nil: `ParallelWork`'s).
        var pool: WorkerPool?
        /// Every hessian is 1 (squared error): histograms count rows instead of summing hessians.
        var constantHessian = false
    }

    let columns: BinnedColumns
    let thresholds: [[Double]]
    var settings: Settings
    /// Per feature: whether it holds category codes split on sets (empty: none does).
    var categorical: [Bool] = []

    /// A category gets a place in the order of a categorical split search only with this many
    /// rows in the node (scikit-learn's MIN_CAT_SUPPORT; also the smoothing of its ratio).
    static let minCategorySupport = 10
    /// Most categories one side of a categorical split takes (scikit-learn's MAX_CAT_THRESHOLD).
    static let maxCategoriesOnOneSide = 32

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
        /// Rows the split sends left (from the histogram's exact counts): where the partition
        /// starts writing the right ones.
        var leftCount: Int
        /// A categorical split: the bins (category codes) it sends left, and its missing bin's
        /// bit (bin `valueBins`) with every bit above set as missing values go.
        var categories: SIMD4<UInt64>?
    }

    /// A node's rows in node order, with their gradient pairs, as pointers into memory
    /// `grow` owns; a row's bins are read from the binned columns through its row id, so a
    /// partition moves 12 bytes per row whatever the number of columns (LightGBM moves row
    /// ids too). Pairs are stored in single precision, as scikit-learn and LightGBM store
    /// gradients; histograms still sum them in double precision.
    private struct Layer: Sendable {
        var rows: SharedPointer<UInt32>, pairs: SharedPointer<Float>
        /// `columns.columnBins`.
        var columnMatrix: SharedReadPointer<UInt8>
    }

    /// Two layers: a node's children are written to the layer the node is not in, so a
    /// partition moves each row once and nothing is copied back (node ranges never overlap, so
    /// the other layer's range is free).
    private final class Layers {
        private let rows: [UnsafeMutablePointer<UInt32>], pairs: [UnsafeMutablePointer<Float>]
        private let columnMatrix: SharedReadPointer<UInt8>

        init(rows count: Int, columnMatrix: UnsafePointer<UInt8>) {
            self.columnMatrix = SharedReadPointer(columnMatrix)
            // Uninitialized: every range is written before it is read.
            rows = (0..<2).map { _ in .allocate(capacity: max(1, count)) }
            pairs = (0..<2).map { _ in .allocate(capacity: max(1, 2 * count)) }
        }

        subscript(index: Int) -> Layer {
            Layer(rows: SharedPointer(rows[index]), pairs: SharedPointer(pairs[index]), columnMatrix: columnMatrix)
        }

        deinit {
            for index in 0..<2 {
                rows[index].deallocate()
                pairs[index].deallocate()
            }
        }
    }

    private struct Node {
        var start: Int, end: Int
        /// The layer holding the node's rows.
        var home: Int
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
    /// `gradients[row]` and `hessians[row]` are each row's derivatives (read, not kept).
    func grow(gradients: UnsafeBufferPointer<Double>, hessians: UnsafeBufferPointer<Double>, samples: inout [UInt32]) -> Outcome {
        let m = samples.count
        let gradientBase = SharedReadPointer(gradients.baseAddress!), hessianBase = SharedReadPointer(hessians.baseAddress!)
        return columns.columnBins.withUnsafeBufferPointer { columnMatrix in
            let layers = Layers(rows: m, columnMatrix: columnMatrix.baseAddress!)
            // The root's rows in sample order, in layer 0 (so its children go to layer 1);
            // row ranges copy in parallel, each into its own part.
            let root = layers[0], sampleOrder = samples
            let parts = RowParallelism.ranges(rows: m, available: settings.threads)
            ParallelWork.forEach(count: parts.count, threads: parts.count, pool: settings.pool) { part in
                for k in parts[part] {
                    let row = sampleOrder[k]
                    root.rows.base[k] = row
                    root.pairs.base[2 &* k] = Float(gradientBase.base[Int(row)])
                    root.pairs.base[2 &* k &+ 1] = Float(hessianBase.base[Int(row)])
                }
            }
            return grow(layers, samples: &samples)
        }
    }

    private func grow(_ layers: Layers, samples: inout [UInt32]) -> Outcome {
        let m = samples.count, rootLayer = layers[0]
        let hasCategorical = categorical.contains(true)
        var tree = BoostingTree(features: [-1], thresholds: [0], missingLeft: [false], left: [-1], right: [-1], values: [0],
                                categorySet: hasCategorical ? [-1] : [])
        var gains = [Double](repeating: 0, count: featureCount)
        var totalGradient = 0.0, totalHessian = 0.0
        for k in 0..<m {
            totalGradient += Double(rootLayer.pairs.base[2 &* k])
            totalHessian += Double(rootLayer.pairs.base[2 &* k &+ 1])
        }
        var root = Node(start: 0, end: m, home: 0, depth: 0, gradient: totalGradient, hessian: totalHessian, histogram: nil, split: nil, id: 0)
        root.histogram = histogram(rootLayer, 0, m)
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
            let childHome = 1 - node.home
            partition(from: layers[node.home], to: layers[childHome], node.start, node.end, split)
            let middle = node.start + split.leftCount
            gains[split.feature] += split.gain
            leafCount += 1
            let leftId = tree.features.count, rightId = leftId + 1
            for _ in 0..<2 {
                tree.features.append(-1); tree.thresholds.append(0); tree.missingLeft.append(false)
                tree.left.append(-1); tree.right.append(-1); tree.values.append(0)
                if hasCategorical { tree.categorySet.append(-1) }
            }
            tree.features[node.id] = Int32(split.feature)
            if let categories = split.categories {
                tree.categorySet[node.id] = Int32(tree.categorySets.count / BoostingTree.categorySetBytes)
                for word in 0..<4 {
                    for byte in 0..<8 { tree.categorySets.append(UInt8(truncatingIfNeeded: categories[word] >> UInt64(8 * byte))) }
                }
            } else {
                tree.thresholds[node.id] = split.bin < thresholds[split.feature].count ? thresholds[split.feature][split.bin] : .infinity
            }
            tree.missingLeft[node.id] = split.missingLeft
            tree.left[node.id] = Int32(leftId)
            tree.right[node.id] = Int32(rightId)
            var left = Node(start: node.start, end: middle, home: childHome, depth: node.depth + 1, gradient: split.leftGradient, hessian: split.leftHessian,
                            histogram: nil, split: nil, id: leftId)
            var right = Node(start: middle, end: node.end, home: childHome, depth: node.depth + 1, gradient: node.gradient - split.leftGradient,
                             hessian: node.hessian - split.leftHessian, histogram: nil, split: nil, id: rightId)
            // After the last split the tree may have, its children stay leaves: no histograms
            // or searches for them (scikit-learn's grower stops there too).
            let lastSplit = settings.maxLeafNodes.map { leafCount >= $0 } ?? false
            let leftSplittable = !lastSplit && canSplit(left), rightSplittable = !lastSplit && canSplit(right)
            if leftSplittable || rightSplittable {
                // Build the smaller child's histogram; the larger one is the parent's minus it.
                var large = node.histogram!
                node.histogram = nil
                let leftSmaller = middle - node.start <= node.end - middle
                let children = layers[childHome]
                let small = leftSmaller ? histogram(children, node.start, middle) : histogram(children, middle, node.end)
                combine(small, into: &large, sign: -1)
                left.histogram = leftSmaller ? small : large
                right.histogram = leftSmaller ? large : small
            }
            if leftSplittable && rightSplittable && settings.threads > 1 && !searchesInParallel {
                // The two children's searches on two threads (each result in its own slot).
                let children = (left, right)
                let found = ParallelWork.map(count: 2, threads: 2, pool: settings.pool) { side in bestSplit(side == 0 ? children.0 : children.1) }
                left.split = found[0]
                right.split = found[1]
            } else {
                if leftSplittable { left.split = bestSplit(left) }
                if rightSplittable { right.split = bestSplit(right) }
            }
            for child in [left, right] {
                if child.split != nil { open.append(child) } else { leaves.append(child) }
            }
        }
        leaves += open
        // A tree without a categorical split is stored as a numeric one.
        if hasCategorical && tree.categorySets.isEmpty { tree.categorySet = [] }
        var ranges: [(start: Int, end: Int, value: Double)] = []
        samples.withUnsafeMutableBufferPointer { order in
            for leaf in leaves {
                let value = -settings.learningRate * leaf.gradient / (leaf.hessian + settings.l2 + 1e-15)
                tree.values[leaf.id] = value
                ranges.append((leaf.start, leaf.end, value))
                // Each leaf's rows, from whichever layer holds them, in the sample order.
                (order.baseAddress! + leaf.start).update(from: layers[leaf.home].rows.base + leaf.start, count: leaf.end - leaf.start)
            }
        }
        return Outcome(tree: tree, leaves: ranges, gains: gains)
    }

    private func canSplit(_ node: Node) -> Bool {
        if let maxDepth = settings.maxDepth, node.depth >= maxDepth { return false }
        return node.end - node.start >= 2 * settings.minSamplesLeaf && node.hessian >= 2 * settings.minHessian
    }

    /// A node of at least two such blocks of rows is summed block by block (blocks on
    /// threads, each into its own histogram, added in block order), so each thread reads only
    /// its rows' ids, gradients and bins. Blocks are cut by the node's size alone (an even
    /// number of equal blocks, so two threads stay busy), so the sums, and the trees, do not
    /// depend on the thread count; large blocks keep the extra histograms a small share of a
    /// pass.
    static let histogramBlockRows = 16_384

    private func histogram(_ layer: Layer, _ start: Int, _ end: Int) -> Histogram {
        let count = end - start, totalBins = columns.totalBins, blockRows = Self.histogramBlockRows, columnCount = self.columnCount
        var histogram = Histogram(sums: [Double](repeating: 0, count: totalBins * 2), counts: [UInt32](repeating: 0, count: totalBins))
        if count >= 2 * blockRows {
            let blocks = max(2, (count / blockRows) & ~1), threads = settings.threads
            // In waves of one block per thread, each wave added in block order: memory for
            // `threads` histograms, not one per block.
            for wave in stride(from: 0, to: blocks, by: threads) {
                let parts = ParallelWork.map(count: min(threads, blocks - wave), threads: threads, pool: settings.pool) { offset -> Histogram in
                    var part = Histogram(sums: [Double](repeating: 0, count: totalBins * 2), counts: [UInt32](repeating: 0, count: totalBins))
                    part.sums.withUnsafeMutableBufferPointer { sums in
                        part.counts.withUnsafeMutableBufferPointer { counts in
                            let block = wave + offset
                            accumulate(layer, start + block * count / blocks, start + (block + 1) * count / blocks, columns: 0..<columnCount,
                                       sums: sums.baseAddress!, counts: counts.baseAddress!)
                        }
                    }
                    return part
                }
                for part in parts { combine(part, into: &histogram, sign: 1) }
            }
            return histogram
        }
        // Smaller nodes: threads take disjoint blocks of columns, each writing its range of
        // bins in row order (the same sums whatever the number of blocks), once a node has
        // enough rows x columns (tens of microseconds of work) to repay handing out a step.
        let blocks = count * columnCount >= 20_000 ? min(settings.threads, columnCount) : 1
        histogram.sums.withUnsafeMutableBufferPointer { allSums in
            histogram.counts.withUnsafeMutableBufferPointer { allCounts in
                let sumsTarget = SharedPointer(allSums.baseAddress!), countsTarget = SharedPointer(allCounts.baseAddress!)
                ParallelWork.forEach(count: blocks, threads: blocks, pool: settings.pool) { block in
                    let first = block * columnCount / blocks, last = (block + 1) * columnCount / blocks
                    let binBase = columns.offsets[first]
                    accumulate(layer, start, end, columns: first..<last, sums: sumsTarget.base + 2 &* binBase, counts: countsTarget.base + binBase)
                }
            }
        }
        return histogram
    }

    /// Adds the gradient pairs and counts of rows `start..<end` of `layer` for the columns
    /// `block` to `sums` and `counts`, which start at the block's first bin (and are zero).
    /// Column by column (two at a time) from the column-major bins, as scikit-learn builds
    /// its histograms: a column's bins stay in the first-level cache while its rows pass, and
    /// a pair of columns shares each row's id and gradient pair. Each bin sums its rows in
    /// node order, so the sums do not depend on how columns are shared among threads.
    @inline(__always)
    private func accumulate(_ layer: Layer, _ start: Int, _ end: Int, columns block: Range<Int>,
                            sums sumBase: UnsafeMutablePointer<Double>, counts countBase: UnsafeMutablePointer<UInt32>) {
        let first = block.lowerBound, width = block.count, rowCount = columns.rowCount
        let binBase = columns.offsets[first], binEnd = block.upperBound < columnCount ? columns.offsets[block.upperBound] : columns.totalBins
        columns.offsets.withUnsafeBufferPointer { columnOffsets in
            // Wrapping arithmetic: indices are bounded by construction, and overflow checks
            // would double the cost of these loops.
            let pairs = layer.pairs.base, rows = layer.rows.base, matrix = layer.columnMatrix.base
            // With every hessian 1 (squared error) the hessian sum is the bin's row count: a
            // row touches one array, and the integer counts are read off the sums afterwards.
            @inline(__always) func pass(countingRows: Bool) {
                var c = 0
                while c < width {
                    let paired = c &+ 1 < width
                    let binsA = matrix + (first &+ c) &* rowCount, binsB = paired ? binsA + rowCount : binsA
                    let a = columnOffsets[first &+ c] &- binBase, b = paired ? columnOffsets[first &+ c &+ 1] &- binBase : a
                    let sumsA = sumBase + 2 &* a, countsA = countBase + a
                    if paired {
                        let sumsB = sumBase + 2 &* b, countsB = countBase + b
                        for k in start..<end {
                            let row = Int(rows[k])
                            let gradient = Double(pairs[2 &* k]), hessian = Double(pairs[2 &* k &+ 1])
                            let binA = Int(binsA[row]), binB = Int(binsB[row])
                            sumsA[2 &* binA] += gradient
                            sumsA[2 &* binA &+ 1] += hessian
                            sumsB[2 &* binB] += gradient
                            sumsB[2 &* binB &+ 1] += hessian
                            if countingRows {
                                countsA[binA] &+= 1
                                countsB[binB] &+= 1
                            }
                        }
                    } else {
                        for k in start..<end {
                            let binA = Int(binsA[Int(rows[k])])
                            sumsA[2 &* binA] += Double(pairs[2 &* k])
                            sumsA[2 &* binA &+ 1] += Double(pairs[2 &* k &+ 1])
                            if countingRows { countsA[binA] &+= 1 }
                        }
                    }
                    c &+= paired ? 2 : 1
                }
            }
            if settings.constantHessian {
                pass(countingRows: false)
                for index in 0..<(binEnd - binBase) { countBase[index] = UInt32(sumBase[2 &* index &+ 1]) }
            } else {
                pass(countingRows: true)
            }
        }
    }

    /// total += sign * part, in place (sign 1 or -1: a parent's histogram minus its smaller
    /// child's becomes the larger child's).
    private func combine(_ part: Histogram, into total: inout Histogram, sign: Double) {
        total.sums.withUnsafeMutableBufferPointer { target in
            part.sums.withUnsafeBufferPointer { source in
                for index in 0..<target.count { target[index] += sign * source[index] }
            }
        }
        let countSign = UInt32(bitPattern: Int32(sign))
        total.counts.withUnsafeMutableBufferPointer { target in
            part.counts.withUnsafeBufferPointer { source in
                for index in 0..<target.count { target[index] &+= countSign &* source[index] }
            }
        }
    }

    /// One node's split search spreads its features over the threads only when the histogram
    /// is this large; smaller searches run one per child, the two children at once.
    private var searchesInParallel: Bool { columns.totalBins >= 20_000 }

    private func bestSplit(_ node: Node) -> SplitInfo? {
        guard canSplit(node), let histogram = node.histogram else { return nil }
        let l2 = settings.l2, minLeaf = settings.minSamplesLeaf, minHessian = settings.minHessian
        let nodeCount = node.end - node.start
        let parentScore = node.gradient * node.gradient / (node.hessian + l2)
        let workers = searchesInParallel ? settings.threads : 1
        let candidates = ParallelWork.map(count: featureCount, threads: workers, pool: settings.pool) { feature -> SplitInfo? in
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
                        return SplitInfo(gain: gain, feature: feature, bin: 0, missingLeft: leftCount >= rightCount, leftGradient: leftGradient, leftHessian: leftHessian, leftCount: leftCount)
                    }
                    if !categorical.isEmpty && categorical[feature] {
                        return categoricalSplit(feature, node, sums: sums, counts: counts, base: base, parentScore: parentScore)
                    }
                    let valueBins = columns.valueBins[feature]
                    let missingIndex = base + valueBins
                    let missingGradient = sums[2 * missingIndex], missingHessian = sums[2 * missingIndex + 1]
                    let missingCount = Int(counts[missingIndex])
                    let variants = missingCount > 0 ? 2 : 1
                    var best: SplitInfo?
                    var bestGain = 0.0
                    var gradient = 0.0, hessian = 0.0, count = 0
                    // Wrapping integer arithmetic: counts and indices are bounded by the node and
                    // the histogram, and overflow checks cost a sizeable share of this loop.
                    // The last value bin sends every value left: only a split when missing values go right.
                    for bin in 0..<valueBins {
                        let index = base &+ bin
                        let binCount = Int(counts[index])
                        // An empty bin leaves the split where the previous bin put it.
                        if binCount == 0 { continue }
                        gradient += sums[2 &* index]
                        hessian += sums[2 &* index &+ 1]
                        count &+= binCount
                        if count < minLeaf && missingCount == 0 { continue }
                        if variants == 1 && nodeCount &- count < minLeaf { break }
                        for variant in 0..<variants {
                            let missingLeft = variant == 1
                            let leftGradient = missingLeft ? gradient + missingGradient : gradient
                            let leftHessian = missingLeft ? hessian + missingHessian : hessian
                            let leftCount = missingLeft ? count &+ missingCount : count
                            let rightCount = nodeCount &- leftCount
                            let rightHessian = node.hessian - leftHessian
                            guard leftCount >= minLeaf, rightCount >= minLeaf, leftHessian >= minHessian, rightHessian >= minHessian else { continue }
                            let rightGradient = node.gradient - leftGradient
                            let gain = leftGradient * leftGradient / (leftHessian + l2) + rightGradient * rightGradient / (rightHessian + l2) - parentScore
                            if gain > bestGain {
                                // Without missing values in training, missing rows follow the larger child.
                                let direction = missingCount > 0 ? missingLeft : leftCount >= rightCount
                                bestGain = gain
                                best = SplitInfo(gain: gain, feature: feature, bin: bin, missingLeft: direction, leftGradient: leftGradient, leftHessian: leftHessian, leftCount: leftCount)
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

    /// The best split of a native categorical feature (scikit-learn's and LightGBM's method):
    /// the node's categories with enough rows, the missing bin among them, ordered by their
    /// gradient-to-hessian ratio; the left side takes a prefix of that order, read from either
    /// end. Categories with too few rows go right.
    private func categoricalSplit(_ feature: Int, _ node: Node, sums: UnsafeBufferPointer<Double>, counts: UnsafeBufferPointer<UInt32>,
                                  base: Int, parentScore: Double) -> SplitInfo? {
        let valueBins = columns.valueBins[feature], support = Self.minCategorySupport
        // At most 256 entries, on the stack: this runs per categorical feature per node.
        return withUnsafeTemporaryAllocation(of: (bin: Int, ratio: Double).self, capacity: valueBins + 1) { buffer in
            var used = 0
            for bin in 0...valueBins where Int(counts[base + bin]) >= support {
                buffer.initializeElement(at: used, to: (bin, sums[2 * (base + bin)] / (sums[2 * (base + bin) + 1] + Double(support))))
                used += 1
            }
            guard used > 1 else { return nil }
            var order = UnsafeMutableBufferPointer(rebasing: buffer[0..<used])
            order.sort { $0.ratio != $1.ratio ? $0.ratio < $1.ratio : $0.bin < $1.bin }
            return categoricalSplit(feature, node, ordered: UnsafeBufferPointer(order), sums: sums, counts: counts, base: base, parentScore: parentScore)
        }
    }

    /// The best prefix of `order` (read from either end) as the left side.
    private func categoricalSplit(_ feature: Int, _ node: Node, ordered order: UnsafeBufferPointer<(bin: Int, ratio: Double)>,
                                  sums: UnsafeBufferPointer<Double>, counts: UnsafeBufferPointer<UInt32>, base: Int, parentScore: Double) -> SplitInfo? {
        let l2 = settings.l2, minLeaf = settings.minSamplesLeaf, minHessian = settings.minHessian
        let nodeCount = node.end - node.start, valueBins = columns.valueBins[feature]
        let missingCount = Int(counts[base + valueBins])
        let longest = min(Self.maxCategoriesOnOneSide, (order.count + 1) / 2)
        var best: SplitInfo?
        var bestGain = 0.0
        for fromEnd in [false, true] {
            var gradient = 0.0, hessian = 0.0, count = 0
            var bits = SIMD4<UInt64>(repeating: 0)
            var missingTaken = false
            for taken in 0..<longest {
                let bin = order[fromEnd ? order.count - 1 - taken : taken].bin
                gradient += sums[2 * (base + bin)]
                hessian += sums[2 * (base + bin) + 1]
                count += Int(counts[base + bin])
                bits[bin >> 6] |= 1 << UInt64(bin & 63)
                if bin == valueBins { missingTaken = true }
                let rightCount = nodeCount - count, rightHessian = node.hessian - hessian
                guard count >= minLeaf, rightCount >= minLeaf, hessian >= minHessian, rightHessian >= minHessian else { continue }
                let rightGradient = node.gradient - gradient
                let gain = gradient * gradient / (hessian + l2) + rightGradient * rightGradient / (rightHessian + l2) - parentScore
                guard gain > bestGain else { continue }
                bestGain = gain
                // Missing values go where the missing bin went; without any in the node, to the larger side.
                let missingLeft = missingCount > 0 ? missingTaken : count >= rightCount
                var set = bits
                if missingLeft {
                    // The missing bin and every code above the categories: unseen categories go as missing ones.
                    for code in valueBins..<256 { set[code >> 6] |= 1 << UInt64(code & 63) }
                } else {
                    set[valueBins >> 6] &= ~(1 << UInt64(valueBins & 63))
                }
                best = SplitInfo(gain: gain, feature: feature, bin: 0, missingLeft: missingLeft, leftGradient: gradient, leftHessian: hessian,
                                 leftCount: count, categories: set)
            }
        }
        return best
    }

    /// Where a split sends each bin of its column, as one byte per bin (1: left): a bundled
    /// feature's rows go right in its own bin, a plain one's by the threshold bin, missing
    /// values (the bin after the value bins) by the learned direction, a categorical one's by
    /// its bit in the split's set. A partition then looks each row up instead of branching on
    /// the kind of split.
    private func leftBins(_ split: SplitInfo) -> [UInt8] {
        let slot = columns.featureSlot[split.feature], missingBin = columns.valueBins[split.feature]
        return (0..<256).map { bin -> UInt8 in
            let left: Bool
            if let categories = split.categories {
                left = categories[bin >> 6] >> UInt64(bin & 63) & 1 == 1
            } else if let slot {
                left = bin != slot
            } else {
                left = bin == missingBin ? split.missingLeft : bin <= split.bin
            }
            return left ? 1 : 0
        }
    }

    /// Stable partition of a node's rows (row ids and gradient pairs) from its layer into the
    /// other one at the same range: rows going left first, right ones from `split.leftCount`
    /// on. A large node is split by two threads: the first half forwards from both starts,
    /// the second half backwards from both ends (the left rows end at `leftCount`, the right
    /// ones at the node's end), so neither needs the other's counts and the order is the
    /// one-thread order.
    private func partition(from source: Layer, to target: Layer, _ start: Int, _ end: Int, _ split: SplitInfo) {
        let middle = start + split.leftCount, rowCount = columns.rowCount
        let column = columns.featureColumn[split.feature]
        let halves = end - start >= 16_384 && settings.threads > 1 ? 2 : 1
        let cut = halves == 1 ? end : start + (end - start) / 2
        leftBins(split).withUnsafeBufferPointer { table in
            let leftTable = SharedReadPointer(table.baseAddress!)
            ParallelWork.forEach(count: halves, threads: halves, pool: settings.pool) { half in
                // Locals, not captures: stores through the layers' pointers could alias a
                // capture's memory and force a reload of every captured value per row.
                let leftOf = leftTable.base, bins = source.columnMatrix.base + column &* rowCount
                let rows = source.rows.base, pairs = source.pairs.base
                let targetRows = target.rows.base, targetPairs = target.pairs.base
                @inline(__always) func move(_ k: Int, to destination: Int) {
                    targetRows[destination] = rows[k]
                    targetPairs[2 &* destination] = pairs[2 &* k]
                    targetPairs[2 &* destination &+ 1] = pairs[2 &* k &+ 1]
                }
                // The side a row goes is data, not a pattern a branch predictor could learn: the
                // destination is selected, not branched to.
                if half == 0 {
                    var left = start, right = middle
                    for k in start..<cut {
                        let goesLeft = Int(leftOf[Int(bins[Int(rows[k])])])
                        move(k, to: goesLeft != 0 ? left : right)
                        left &+= goesLeft
                        right &+= 1 &- goesLeft
                    }
                    assert(halves == 2 || (left == middle && right == end), "the histogram's left count is the partition's")
                } else {
                    var left = middle, right = end
                    for k in (cut..<end).reversed() {
                        let goesLeft = Int(leftOf[Int(bins[Int(rows[k])])])
                        left &-= goesLeft
                        right &-= 1 &- goesLeft
                        move(k, to: goesLeft != 0 ? left : right)
                    }
                }
            }
        }
    }
}
