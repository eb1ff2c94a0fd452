import Tabular

/// Histogram gradient boosting, scikit-learn's `HistGradientBoostingClassifier` /
/// `HistGradientBoostingRegressor`: features binned once, trees grown leaf-wise on gradient
/// histograms, missing values routed per split, optional early stopping on held-out rows.
public struct HistGradientBoostingConfig: Sendable, Equatable, Codable {
    public enum EarlyStopping: Sendable, Equatable, Codable {
        /// On when there are more than 10,000 training rows, as scikit-learn's "auto".
        case auto
        case on
        case off
    }

    public var learningRate = 0.1
    public var maxIterations = 100
    public var maxLeafNodes: Int? = 31
    public var maxDepth: Int?
    public var minSamplesLeaf = 20
    public var l2Regularization = 0.0
    public var maxBins = 255
    public var earlyStopping: EarlyStopping = .auto
    /// `auto` stops early above this many training rows, as scikit-learn.
    public static let autoEarlyStoppingRows = 10_000
    public var validationFraction = 0.1
    public var iterationsWithoutChange = 10
    public var tolerance = 1e-7
    public var seed: UInt64 = 0
    /// nil: columns of category codes are split as numbers, as any other column.
    public var categorical: CategoricalSplits?

    /// `native`: a column an ordinal step leaves as category codes is split on sets of
    /// categories (scikit-learn's `categorical_features`, LightGBM's `categorical_feature`).
    public enum CategoricalSplits: String, Sendable, Equatable, Codable { case native }

    public init(learningRate: Double = 0.1, maxIterations: Int = 100, maxLeafNodes: Int? = 31, maxDepth: Int? = nil, minSamplesLeaf: Int = 20,
                l2Regularization: Double = 0, maxBins: Int = 255, earlyStopping: EarlyStopping = .auto, validationFraction: Double = 0.1,
                iterationsWithoutChange: Int = 10, tolerance: Double = 1e-7, seed: UInt64 = 0, categorical: CategoricalSplits? = nil) {
        self.learningRate = learningRate
        self.maxIterations = maxIterations
        self.maxLeafNodes = maxLeafNodes
        self.maxDepth = maxDepth
        self.minSamplesLeaf = minSamplesLeaf
        self.l2Regularization = l2Regularization
        self.maxBins = maxBins
        self.earlyStopping = earlyStopping
        self.validationFraction = validationFraction
        self.iterationsWithoutChange = iterationsWithoutChange
        self.tolerance = tolerance
        self.seed = seed
        self.categorical = categorical
    }

    /// Histograms and splits use `threads` threads; the model does not depend on how many.
    /// `columns` says which columns hold category codes (read with `categorical: native`).
    public func fit(_ x: Matrix, _ target: Target, threads: Int = 1, columns: ColumnKinds? = nil) throws(LearnError) -> BoostedTrees {
        guard learningRate > 0 else { throw LearnError.settings("hist_gradient_boosting.learning_rate must be > 0, found \(learningRate)") }
        guard (2...255).contains(maxBins) else { throw LearnError.settings("hist_gradient_boosting.max_bins must be from 2 to 255, found \(maxBins)") }
        let categoryCounts = categorical == .native ? try nativeCategoryCounts(columns, featureCount: x.columns) : []
        let loss: BoostingLoss
        let link: BoostedTrees.Link
        switch target {
        case .values: loss = .squaredError; link = .identity
        case .classes(_, let classes) where classes.count == 2: loss = .binaryLogLoss; link = .logistic
        case .classes(_, let classes): loss = .multinomial(classes: classes.count); link = .softmax
        }
        let n = x.rows, outputs = loss.outputs
        let stopEarly = earlyStopping == .on || (earlyStopping == .auto && n > Self.autoEarlyStoppingRows)
        var trainRows = Array(0..<n), validationRows: [Int] = []
        if stopEarly {
            var generator = SeededGenerator(seed: seed, stream: "early stopping")
            let split = try DataSplit.trainTest(target, testSize: .fraction(validationFraction), stratify: target.task == .classification, shuffle: true, seed: generator.next())
            trainRows = split.train
            validationRows = split.test
        }
        let binner = FeatureBinner(x, rows: trainRows, maxBins: maxBins, seed: seed, threads: threads, categoryCounts: categoryCounts)
        let bins = binner.transform(x, threads: threads)
        let categorical = categoryCounts.map { $0 > 0 }
        let binned = BinnedColumns(bins: bins, rowCount: n, featureCount: x.columns, valueBins: binner.thresholds.map { $0.count + 1 },
                                   missingBin: binner.missingBin, trainingRows: trainRows, categorical: categorical)
        let pool = WorkerPool(threads: threads)
        defer { pool.close() }
        let grower = HistogramGrower(
            columns: binned, thresholds: binner.thresholds,
            settings: .init(maxLeafNodes: maxLeafNodes, maxDepth: maxDepth, minSamplesLeaf: minSamplesLeaf, l2: l2Regularization, learningRate: learningRate,
                            threads: threads, pool: pool, constantHessian: target.task == .regression),
            categorical: categorical)
        let baseline = loss.baseline(target, rows: trainRows)
        // Raw scores for every row (output-major); training rows drive the gradients.
        var raw = [Double](repeating: 0, count: outputs * n)
        for output in 0..<outputs { for row in 0..<n { raw[output * n + row] = baseline[output] } }
        var gradients = [Double](repeating: 0, count: outputs * n), hessians = [Double](repeating: 0, count: outputs * n)
        var trees: [BoostingTree] = []
        let trainSamples = trainRows.map(UInt32.init)
        var gains = [Double](repeating: 0, count: x.columns)
        let validationTarget = target.taking(rows: validationRows)
        var scores: [Double] = []
        if stopEarly { scores.append(-loss.loss(validationTarget, raw: gather(raw, validationRows, n, outputs), rows: validationRows.count)) }
        for _ in 0..<maxIterations {
            loss.derivatives(target, raw: raw, rows: n, gradients: &gradients, hessians: &hessians, threads: threads, pool: pool)
            // The K class trees of an iteration are independent: grow them in parallel (each
            // tree is the same whichever thread grows it), then apply them in class order.
            let classParallel = outputs > 1 && threads > 1
            let rowGrower = classParallel ? grower.singleThreaded : grower
            let gradients = gradients, hessians = hessians
            let grownTrees = ParallelWork.map(count: outputs, threads: classParallel ? threads : 1, pool: pool) { output -> (HistogramGrower.Outcome, [UInt32]) in
                var samples = trainSamples
                let grown = gradients.withUnsafeBufferPointer { gradients in
                    hessians.withUnsafeBufferPointer { hessians in
                        rowGrower.grow(gradients: UnsafeBufferPointer(rebasing: gradients[(output * n)..<((output + 1) * n)]),
                                       hessians: UnsafeBufferPointer(rebasing: hessians[(output * n)..<((output + 1) * n)]), samples: &samples)
                    }
                }
                return (grown, samples)
            }
            for (output, (grown, samples)) in grownTrees.enumerated() {
                // Leaves hold disjoint rows: their scores update in parallel.
                let leaves = grown.leaves
                raw.withUnsafeMutableBufferPointer { buffer in
                    let scores = SharedPointer(buffer.baseAddress! + output * n)
                    ParallelWork.forEach(count: leaves.count, threads: RowParallelism.threads(rows: n, available: threads), pool: pool) { index in
                        let leaf = leaves[index]
                        for k in leaf.start..<leaf.end { scores.base[Int(samples[k])] += leaf.value }
                    }
                }
                if !validationRows.isEmpty {
                    x.values.withUnsafeBufferPointer { values in
                        for row in validationRows { raw[output * n + row] += grown.tree.value(values.baseAddress! + row * x.columns) }
                    }
                }
                for feature in 0..<x.columns { gains[feature] += grown.gains[feature] }
                trees.append(grown.tree)
            }
            if stopEarly {
                scores.append(-loss.loss(validationTarget, raw: gather(raw, validationRows, n, outputs), rows: validationRows.count))
                if shouldStop(scores) { break }
            }
        }
        return BoostedTrees(baseline: baseline, trees: trees, link: link, featureCount: x.columns, gains: gains)
    }

    /// Per column, its number of categories when native categorical splits apply to it, else 0.
    private func nativeCategoryCounts(_ columns: ColumnKinds?, featureCount: Int) throws(LearnError) -> [Int] {
        guard let columns, columns.categoryCounts.count == featureCount, columns.categoryCounts.contains(where: { $0 > 0 }) else {
            throw LearnError.settings("hist_gradient_boosting.categorical: native splits the columns an ordinal step encodes, and none reaches the model as category codes; encode the categorical columns with ordinal (not one_hot), with no later step rewriting them")
        }
        for (index, count) in columns.categoryCounts.enumerated() where count > maxBins {
            throw LearnError.settings("column '\(columns.names[index])' has \(count) categories and hist_gradient_boosting.max_bins is \(maxBins): native categorical splits take at most max_bins categories per column; one-hot encode it, or group its rare categories")
        }
        return columns.categoryCounts
    }

    private func gather(_ raw: [Double], _ rows: [Int], _ n: Int, _ outputs: Int) -> [Double] {
        var values = [Double]()
        values.reserveCapacity(rows.count * outputs)
        for output in 0..<outputs { for row in rows { values.append(raw[output * n + row]) } }
        return values
    }

    /// scikit-learn's rule: stop when none of the last `iterationsWithoutChange` scores beat the
    /// one before them by more than `tolerance`.
    private func shouldStop(_ scores: [Double]) -> Bool {
        let reference = iterationsWithoutChange + 1
        guard scores.count >= reference else { return false }
        let referenceScore = scores[scores.count - reference] + tolerance
        return !scores.suffix(iterationsWithoutChange).contains { $0 > referenceScore }
    }
}
