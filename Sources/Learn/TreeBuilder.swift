import Foundation

/// Grows one CART tree depth-first, as scikit-learn's `BestSplitter`: at each node, features
/// are visited in a random order until `maxFeatures` non-constant ones were tried; each is
/// sorted by value (radix sort on ranks) and every boundary between distinct values scored.
/// A classification feature with few distinct values (one-hot columns have two) is counted
/// instead of sorted: per value, the weight of each class, then the same boundaries scored in
/// the same order. With whole-number weights (1, or bootstrap counts) every sum is exact, so
/// the split is the one sorting finds.
struct TreeBuilder {
    let data: TreeData
    let settings: TreeSettings
    /// Per-row weight (0 for rows left out of a bootstrap sample).
    let weights: [Double]
    var generator: SeededGenerator

    // Per-fit buffers, reused across nodes.
    private var samples: [UInt32] = []
    private var keys: [UInt64] = []
    private var scratch: [UInt64] = []
    private var tree = DecisionTree(nodes: [], values: [], outputs: 0, importance: [])
    /// Per (rank, class) weights and per-rank sample counts of the counted features, in
    /// integers (whole-number weights): an integer add does not wait on the previous one.
    private var rankWeights: [Int] = []
    /// Per row: weight << 8 | label, one load where two arrays would take two; 32 bits, so
    /// with the byte ranks of a counted feature the rows' data stays in the core's cache.
    private var weightedLabels: [UInt32] = []
    /// `weightedLabels` of the node's samples in sample order (nodeLabels[k] is that of
    /// samples[k]), gathered once per node for its counted features: each then reads them in
    /// order instead of from a random row each.
    private var nodeLabels: [UInt32] = []
    private var rankCounts: [Int] = []
    /// Left then right class weights of the boundary being scored.
    private var sides: [Double] = []
    /// Whole-number weights below 2^24: class weight sums are exact in any order.
    private var exactWeights = false
    /// `data`'s rank arrays while `build` runs: read through pointers, the per-node work does
    /// not count references to arrays that every thread of a forest shares (those counts were
    /// 17% of a forest fit on one-hot data: each an atomic on a cache line both cores write).
    private var compactBase: UnsafePointer<UInt8>?
    private var wideBase: UnsafePointer<UInt32>?

    /// Most distinct values a feature may have to be counted rather than sorted (0: sort all;
    /// the tests compare both ways).
    let countedRanks: Int

    init(data: TreeData, settings: TreeSettings, weights: [Double], seed: UInt64, countedRanks: Int = 64) {
        // Counted features are read through their byte ranks.
        self.countedRanks = min(countedRanks, TreeData.compactRankLimit)
        self.data = data
        self.settings = settings
        self.weights = weights
        generator = SeededGenerator(seed: seed)
    }

    /// A counted feature: constant in the node, or its best split (nil: no valid boundary).
    private enum CountedFeature {
        case constant
        case scored(Split?)
    }

    private struct Split {
        var feature: Int
        var rank: UInt32
        var proxy: Double
    }

    mutating func build() -> DecisionTree {
        let data = self.data
        return data.compactRanks.withUnsafeBufferPointer { compact in
            data.wideRanks.withUnsafeBufferPointer { wide in
                compactBase = compact.baseAddress
                wideBase = wide.baseAddress
                defer {
                    compactBase = nil
                    wideBase = nil
                }
                return grow()
            }
        }
    }

    private mutating func grow() -> DecisionTree {
        samples = (0..<data.rows).filter { weights[$0] > 0 }.map(UInt32.init)
        exactWeights = countedRanks > 0 && (1...256).contains(data.classCount) && weights.allSatisfy { $0 == $0.rounded() && $0 < 16_777_216 }
        if exactWeights {
            rankWeights = [Int](repeating: 0, count: countedRanks * data.classCount)
            weightedLabels = (0..<data.rows).map { UInt32(weights[$0]) << 8 | UInt32(data.labels[$0]) }
            nodeLabels = [UInt32](repeating: 0, count: samples.count)
            rankCounts = [Int](repeating: 0, count: countedRanks)
            sides = [Double](repeating: 0, count: 2 * data.classCount)
        }
        keys = [UInt64](repeating: 0, count: samples.count)
        scratch = [UInt64](repeating: 0, count: samples.count)
        tree.outputs = data.classCount > 0 ? data.classCount : 1
        tree.importance = [Double](repeating: 0, count: data.featureCount)
        let maxFeatures = settings.maxFeatures.resolve(data.featureCount)
        // Explicit stack of (node, start, end, depth); a split reserves both children at once.
        tree.nodes.append(TreeNode(threshold: 0, feature: -1, left: -1))
        tree.values.append(contentsOf: [Double](repeating: 0, count: tree.outputs))
        // Features found constant in a node are constant in all its descendants: they are
        // still drawn (the random sequence is unchanged) but never scanned again.
        let words = (data.featureCount + 63) / 64
        var stack: [(Int, Int, Int, Int, [UInt64])] = [(0, 0, samples.count, 0, [UInt64](repeating: 0, count: words))]
        while let (node, start, end, depth, knownConstant) = stack.popLast() {
            let stats = nodeStatistics(start, end)
            for output in 0..<tree.outputs { tree.values[node * tree.outputs + output] = stats.output[output] }
            let count = end - start
            let canSplit = count >= settings.minSamplesSplit && count >= 2 * settings.minSamplesLeaf
                && (settings.maxDepth.map { depth < $0 } ?? true) && stats.impurity > 1e-7
            var constants = knownConstant
            guard canSplit, let split = bestSplit(start, end, maxFeatures: maxFeatures, constants: &constants) else { continue }
            // Partition the node's samples by the chosen feature.
            let offset = data.rankOffset[split.feature]
            let low = data.isCompact(split.feature)
                ? Self.partition(&samples, start, end, ranks: compactBase! + offset, atMost: split.rank)
                : Self.partition(&samples, start, end, ranks: wideBase! + offset, atMost: split.rank)
            let leftStats = nodeStatistics(start, low), rightStats = nodeStatistics(low, end)
            tree.importance[split.feature] += stats.weight * stats.impurity - leftStats.weight * leftStats.impurity - rightStats.weight * rightStats.impurity
            let left = tree.nodes.count
            tree.nodes[node] = TreeNode(threshold: data.threshold(feature: split.feature, rank: split.rank), feature: Int32(split.feature), left: Int32(left))
            for _ in 0..<2 {
                tree.nodes.append(TreeNode(threshold: 0, feature: -1, left: -1))
                tree.values.append(contentsOf: [Double](repeating: 0, count: tree.outputs))
            }
            stack.append((left + 1, low, end, depth + 1, constants))
            stack.append((left, start, low, depth + 1, constants))
        }
        return tree
    }

    private struct NodeStats {
        var weight: Double
        var impurity: Double
        var output: [Double]
    }

    private func nodeStatistics(_ start: Int, _ end: Int) -> NodeStats {
        if data.classCount > 0 {
            var counts = [Double](repeating: 0, count: data.classCount)
            for k in start..<end { counts[data.labels[Int(samples[k])]] += weights[Int(samples[k])] }
            let total = counts.reduce(0, +)
            let impurity = Self.classImpurity(counts, total, settings.criterion)
            return NodeStats(weight: total, impurity: impurity, output: counts.map { $0 / total })
        }
        var total = 0.0, sum = 0.0, squares = 0.0
        for k in start..<end {
            let row = Int(samples[k]), w = weights[row], y = data.targets[row]
            total += w
            sum += w * y
            squares += w * y * y
        }
        let mean = sum / total
        return NodeStats(weight: total, impurity: max(0, squares / total - mean * mean), output: [mean])
    }

    static func classImpurity(_ counts: [Double], _ total: Double, _ criterion: TreeSettings.Criterion) -> Double {
        guard total > 0 else { return 0 }
        if criterion == .entropy {
            var entropy = 0.0
            for count in counts where count > 0 {
                let p = count / total
                entropy -= p * Foundation.log2(p)
            }
            return entropy
        }
        var sumSquares = 0.0
        for count in counts { sumSquares += (count / total) * (count / total) }
        return 1 - sumSquares
    }

    /// `constants`: features known to be constant in this node; those found constant here are added.
    private mutating func bestSplit(_ start: Int, _ end: Int, maxFeatures: Int, constants: inout [UInt64]) -> Split? {
        var best: Split?
        var order = Array(0..<data.featureCount)
        var visited = 0, position = 0
        // Whether nodeLabels holds this node's labels in the current sample order (a sort for
        // a feature that is not counted reorders the samples).
        var labelsInOrder = false
        while position < order.count && visited < maxFeatures {
            // Draw the next feature without replacement.
            let pick = position + generator.integer(below: order.count - position)
            order.swapAt(position, pick)
            let feature = order[position]
            position += 1
            let bit: UInt64 = 1 << UInt64(feature % 64)
            if constants[feature / 64] & bit != 0 { continue }  // constant: does not count as visited
            let candidate: Split?
            if exactWeights && data.distinctCounts[feature] <= countedRanks {
                if !labelsInOrder {
                    for k in start..<end { nodeLabels[k] = weightedLabels[Int(samples[k])] }
                    labelsInOrder = true
                }
                switch countedSplit(start, end, feature: feature) {
                case .constant:
                    constants[feature / 64] |= bit
                    continue
                case .scored(let split):
                    candidate = split
                }
            } else {
                sortSamples(start, end, feature: feature)
                labelsInOrder = false
                let firstKey = keys[start] >> 32, lastKey = keys[end - 1] >> 32
                if firstKey == lastKey {
                    constants[feature / 64] |= bit
                    continue
                }
                candidate = scan(start, end, feature: feature)
            }
            visited += 1
            if let candidate, candidate.proxy > (best?.proxy ?? -.infinity) {
                best = candidate
            }
        }
        return best
    }

    /// Moves the samples of start..<end whose rank is at most `rank` first; returns where the
    /// others begin.
    private static func partition<Rank: FixedWidthInteger>(_ samples: inout [UInt32], _ start: Int, _ end: Int, ranks: UnsafePointer<Rank>, atMost rank: UInt32) -> Int {
        var low = start, high = end - 1
        while low <= high {
            if UInt32(ranks[Int(samples[low])]) <= rank { low += 1 } else { samples.swapAt(low, high); high -= 1 }
        }
        return low
    }

    /// keys[k] = (rank << 32 | sample) for the samples of start..<end.
    private static func rankKeys<Rank: FixedWidthInteger>(_ keys: inout [UInt64], _ samples: [UInt32], _ start: Int, _ end: Int, ranks: UnsafePointer<Rank>) {
        for k in start..<end {
            let sample = samples[k]
            keys[k] = UInt64(ranks[Int(sample)]) << 32 | UInt64(sample)
        }
    }

    /// Sorts keys[start..<end] = (rank << 32 | sample) by rank, then copies the samples back in order.
    private mutating func sortSamples(_ start: Int, _ end: Int, feature: Int) {
        let offset = data.rankOffset[feature]
        if data.isCompact(feature) {
            Self.rankKeys(&keys, samples, start, end, ranks: compactBase! + offset)
        } else {
            Self.rankKeys(&keys, samples, start, end, ranks: wideBase! + offset)
        }
        let count = end - start
        if count <= 512 {
            keys[start..<end].sort()
        } else {
            RadixSort.sortByHighWord(&keys, &scratch, start, end, maxRank: data.distinctCounts[feature])
        }
        for k in start..<end { samples[k] = UInt32(truncatingIfNeeded: keys[k]) }
    }

    /// Per-rank counts and class weights of a two-valued feature (a one-hot column) in a
    /// two-class node, in registers: the general loop adds into two or four memory cells
    /// that nearly every row hits again, so each add waits for the one before it. The
    /// integer sums are the general loop's exactly.
    @inline(__always)
    private static func countBinary(_ samples: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int, ranks: UnsafePointer<UInt8>,
                                    nodeLabels: UnsafePointer<UInt32>, counts: UnsafeMutablePointer<Int>, classWeights: UnsafeMutablePointer<Int>) {
        // Rows of rank 1; weight in rank 1, and of it in class 1; weight in all, and in class 1.
        var rankOne = 0, rankOneWeight = 0, rankOneClassOne = 0, weight = 0, classOne = 0
        for k in start..<end {
            let rank = Int(ranks[Int(samples[k])]), code = nodeLabels[k]
            let label = Int(code & 0xFF), w = Int(code >> 8)
            rankOne &+= rank
            rankOneWeight &+= w &* rank
            rankOneClassOne &+= w &* rank &* label
            weight &+= w
            classOne &+= w &* label
        }
        counts[0] = end &- start &- rankOne
        counts[1] = rankOne
        classWeights[0] = weight &- classOne &- (rankOneWeight &- rankOneClassOne)
        classWeights[1] = classOne &- rankOneClassOne
        classWeights[2] = rankOneWeight &- rankOneClassOne
        classWeights[3] = rankOneClassOne
    }

    /// The best boundary of a feature with few distinct values, from per-value class weights:
    /// the boundaries `scan` scores, in the same order, with the same (exact) sums.
    private mutating func countedSplit(_ start: Int, _ end: Int, feature: Int) -> CountedFeature {
        let classes = data.classCount, rankCount = data.distinctCounts[feature]
        let minLeaf = settings.minSamplesLeaf, gini = settings.criterion == .gini
        var best: Split?
        var constant = false
        let rankBase = compactBase! + data.rankOffset[feature]
        samples.withUnsafeBufferPointer { samples in
            do {
                nodeLabels.withUnsafeBufferPointer { nodeLabels in
                    rankWeights.withUnsafeMutableBufferPointer { classWeights in
                        rankCounts.withUnsafeMutableBufferPointer { counts in
                            sides.withUnsafeMutableBufferPointer { sides in
                                if rankCount == 2 && classes == 2 {
                                    Self.countBinary(samples, start, end, ranks: rankBase, nodeLabels: nodeLabels.baseAddress!,
                                                     counts: counts.baseAddress!, classWeights: classWeights.baseAddress!)
                                } else {
                                    classWeights.baseAddress!.update(repeating: 0, count: rankCount &* classes)
                                    counts.baseAddress!.update(repeating: 0, count: rankCount)
                                    for k in start..<end {
                                        let rank = Int(rankBase[Int(samples[k])]), code = nodeLabels[k]
                                        counts[rank] &+= 1
                                        classWeights[rank &* classes &+ Int(code & 0xFF)] &+= Int(code >> 8)
                                    }
                                }
                                var first = 0
                                while counts[first] == 0 { first &+= 1 }
                                var last = rankCount &- 1
                                while counts[last] == 0 { last &-= 1 }
                                if first == last {
                                    constant = true
                                    return
                                }
                                // sides: the left class weights, then the right ones.
                                let left = sides.baseAddress!, right = sides.baseAddress! + classes
                                left.update(repeating: 0, count: classes)
                                right.update(repeating: 0, count: classes)
                                for rank in first...last {
                                    for label in 0..<classes { right[label] += Double(classWeights[rank &* classes &+ label]) }
                                }
                                var leftWeight = 0.0, rightWeight = 0.0
                                for label in 0..<classes { rightWeight += right[label] }
                                var leftCount = 0
                                for rank in first..<last where counts[rank] > 0 {
                                    for label in 0..<classes {
                                        let w = Double(classWeights[rank &* classes &+ label])
                                        left[label] += w
                                        right[label] -= w
                                        leftWeight += w
                                        rightWeight -= w
                                    }
                                    leftCount &+= counts[rank]
                                    guard leftCount >= minLeaf, end &- start &- leftCount >= minLeaf else { continue }
                                    let proxy: Double
                                    if gini {
                                        var leftSquares = 0.0, rightSquares = 0.0
                                        for label in 0..<classes {
                                            leftSquares += left[label] * left[label]
                                            rightSquares += right[label] * right[label]
                                        }
                                        proxy = leftSquares / leftWeight + rightSquares / rightWeight
                                    } else {
                                        proxy = -leftWeight * Self.classImpurity(Array(UnsafeBufferPointer(start: left, count: classes)), leftWeight, .entropy)
                                            - rightWeight * Self.classImpurity(Array(UnsafeBufferPointer(start: right, count: classes)), rightWeight, .entropy)
                                    }
                                    if proxy > (best?.proxy ?? -.infinity) {
                                        best = Split(feature: feature, rank: UInt32(rank), proxy: proxy)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return constant ? .constant : .scored(best)
    }

    /// The best boundary for one sorted feature, by scikit-learn's proxy improvement.
    private func scan(_ start: Int, _ end: Int, feature: Int) -> Split? {
        let minLeaf = settings.minSamplesLeaf
        var best: Split?
        if data.classCount > 0 {
            let classes = data.classCount
            var left = [Double](repeating: 0, count: classes), right = [Double](repeating: 0, count: classes)
            for k in start..<end { right[data.labels[Int(samples[k])]] += weights[Int(samples[k])] }
            var leftWeight = 0.0, rightWeight = right.reduce(0, +)
            var leftSquares = 0.0, rightSquares = right.reduce(0) { $0 + $1 * $1 }
            let gini = settings.criterion == .gini
            for k in start..<(end - 1) {
                let row = Int(samples[k]), label = data.labels[row], w = weights[row]
                if gini {
                    leftSquares += w * (2 * left[label] + w)
                    rightSquares -= w * (2 * right[label] - w)
                }
                left[label] += w
                right[label] -= w
                leftWeight += w
                rightWeight -= w
                let leftCount = k - start + 1
                guard keys[k] >> 32 != keys[k + 1] >> 32, leftCount >= minLeaf, end - start - leftCount >= minLeaf else { continue }
                let proxy: Double
                if gini {
                    proxy = leftSquares / leftWeight + rightSquares / rightWeight
                } else {
                    proxy = -leftWeight * Self.classImpurity(left, leftWeight, .entropy) - rightWeight * Self.classImpurity(right, rightWeight, .entropy)
                }
                if proxy > (best?.proxy ?? -.infinity) {
                    best = Split(feature: feature, rank: UInt32(keys[k] >> 32), proxy: proxy)
                }
            }
            return best
        }
        var leftSum = 0.0, leftWeight = 0.0, totalSum = 0.0, totalWeight = 0.0
        for k in start..<end {
            let row = Int(samples[k])
            totalSum += weights[row] * data.targets[row]
            totalWeight += weights[row]
        }
        for k in start..<(end - 1) {
            let row = Int(samples[k]), w = weights[row]
            leftSum += w * data.targets[row]
            leftWeight += w
            let leftCount = k - start + 1
            guard keys[k] >> 32 != keys[k + 1] >> 32, leftCount >= minLeaf, end - start - leftCount >= minLeaf else { continue }
            let rightSum = totalSum - leftSum, rightWeight = totalWeight - leftWeight
            let proxy = leftSum * leftSum / leftWeight + rightSum * rightSum / rightWeight
            if proxy > (best?.proxy ?? -.infinity) {
                best = Split(feature: feature, rank: UInt32(keys[k] >> 32), proxy: proxy)
            }
        }
        return best
    }
}
