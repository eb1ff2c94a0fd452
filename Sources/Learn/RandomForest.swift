import Tabular
/// Bagged CART trees with per-split feature sampling, scikit-learn's `RandomForest*`.
/// Trees grow in parallel; each draws its bootstrap sample and features from its own seeded
/// stream, so the forest does not depend on the thread count.
public struct RandomForestConfig: Sendable, Equatable, Codable {
    public var trees = 100
    public var settings: TreeSettings
    public var bootstrap = true
    /// Rows drawn per tree when bootstrapping (nil: as many as there are training rows).
    public var maxSamples: SampleCount?
    public var seed: UInt64 = 0

    public init(trees: Int = 100, settings: TreeSettings, bootstrap: Bool = true, maxSamples: SampleCount? = nil, seed: UInt64 = 0) {
        self.trees = trees
        self.settings = settings
        self.bootstrap = bootstrap
        self.maxSamples = maxSamples
        self.seed = seed
    }

    /// Trees grow on `threads` threads; the forest does not depend on how many.
    public func fit(_ x: Matrix, _ target: Target, threads: Int = 1) throws(LearnError) -> TreeEnsemble {
        let data = TreeData(x, target: target)
        let baseWeights = TreeEnsemble.classWeights(target, balanced: settings.balanced)
        let draws = maxSamples?.rows(of: x.rows) ?? x.rows
        let grown = ParallelWork.map(count: trees, threads: threads) { index -> DecisionTree in
            var generator = SeededGenerator(seed: seed, stream: "forest tree \(index)")
            var weights = baseWeights
            if bootstrap {
                var counts = [Double](repeating: 0, count: x.rows)
                for _ in 0..<draws { counts[generator.integer(below: x.rows)] += 1 }
                for row in 0..<x.rows { weights[row] *= counts[row] }
            }
            var builder = TreeBuilder(data: data, settings: settings, weights: weights, seed: generator.next())
            return builder.build()
        }
        return TreeEnsemble(trees: grown, classification: data.classCount > 0, featureCount: x.columns)
    }
}

/// Fitted trees whose leaf values are averaged: class probabilities or regression values.
public struct TreeEnsemble: Sendable, Equatable, Codable {
    public var trees: [DecisionTree]
    public var classification: Bool
    public var featureCount: Int

    /// Mean decrease in impurity per feature, each tree normalized to sum 1, then averaged
    /// and normalized again (scikit-learn's `feature_importances_`).
    public var featureImportances: [Double] {
        var total = [Double](repeating: 0, count: featureCount)
        for tree in trees {
            let sum = tree.importance.reduce(0, +)
            guard sum > 0 else { continue }
            for feature in 0..<featureCount { total[feature] += tree.importance[feature] / sum }
        }
        let sum = total.reduce(0, +)
        return sum > 0 ? total.map { $0 / sum } : total
    }

    static func classWeights(_ target: Target, balanced: Bool) -> [Double] {
        guard balanced, case .classes(let labels, let classes) = target else { return [Double](repeating: 1, count: target.count) }
        var counts = [Double](repeating: 0, count: classes.count)
        for label in labels { counts[label] += 1 }
        return labels.map { Double(labels.count) / (Double(classes.count) * counts[$0]) }
    }

    /// Rows that walk a tree together in prediction.
    static let interleavedRows = 8

    public func predict(_ x: Matrix, threads: Int = 1) -> Prediction {
        let outputs = trees.first?.outputs ?? 1
        // Few large row blocks: each block walks every tree once, so trees stay in cache.
        // (Each row still sums trees in tree order, whatever the blocks.)
        let chunk = max(256, (x.rows + max(1, threads) - 1) / max(1, threads))
        let chunks = (x.rows + chunk - 1) / chunk
        let parts = ParallelWork.map(count: chunks, threads: threads) { part -> [Double] in
            let lower = part * chunk, upper = min(x.rows, lower + chunk)
            var sums = [Double](repeating: 0, count: (upper - lower) * outputs)
            let lanes = Self.interleavedRows
            let lane = UnsafeMutablePointer<Int>.allocate(capacity: lanes)
            defer { lane.deallocate() }
            x.values.withUnsafeBufferPointer { values in
                sums.withUnsafeMutableBufferPointer { output in
                    let columns = x.columns
                    for tree in trees {
                        tree.nodes.withUnsafeBufferPointer { nodes in
                            tree.values.withUnsafeBufferPointer { leafValues in
                                func addLeaf(_ row: Int, _ node: Int) {
                                    let base = (row &- lower) &* outputs, leafBase = node &* outputs
                                    for k in 0..<outputs { output[base &+ k] += leafValues[leafBase &+ k] }
                                }
                                var row = lower
                                // Rows walk the tree `lanes` at a time, one step each in turn:
                                // their node loads do not depend on each other, so the core
                                // overlaps them instead of waiting on one walk's every step.
                                while row &+ lanes <= upper {
                                    lane.update(repeating: 0, count: lanes)
                                    let first = values.baseAddress! + row &* columns
                                    var walking = true
                                    while walking {
                                        walking = false
                                        for j in 0..<lanes {
                                            let current = nodes[lane[j]]
                                            if current.feature >= 0 {
                                                let value = first[j &* columns &+ Int(current.feature)]
                                                lane[j] = Int(current.left) &+ (value <= current.threshold ? 0 : 1)
                                                walking = true
                                            }
                                        }
                                    }
                                    for j in 0..<lanes { addLeaf(row &+ j, lane[j]) }
                                    row &+= lanes
                                }
                                // The rest one by one: a fixed block width lets the lanes
                                // unroll; a narrower last block in the same loop measured
                                // ~30% slower for the whole prediction.
                                while row < upper {
                                    let features = values.baseAddress! + row &* columns
                                    var node = 0
                                    while true {
                                        let current = nodes[node]
                                        if current.feature < 0 { break }
                                        node = Int(current.left) &+ (features[Int(current.feature)] <= current.threshold ? 0 : 1)
                                    }
                                    addLeaf(row, node)
                                    row &+= 1
                                }
                            }
                        }
                    }
                }
            }
            let scale = 1 / Double(trees.count)
            return sums.map { $0 * scale }
        }
        let averaged = parts.flatMap { $0 }
        if classification { return Prediction.fromProbabilities(Matrix(rows: x.rows, columns: outputs, values: averaged)) }
        return .values(averaged)
    }
}
