import Foundation
import XCTest
@testable import Learn
import Tabular

final class TreeTests: XCTestCase {
    private func column(_ values: [Double]) -> Matrix { Matrix(rows: values.count, columns: 1, values: values) }

    func testDecisionTreeSplitsAtTheMidpoint() throws {
        let x = column([1, 2, 3, 4, 5, 6])
        let classifier = try DecisionTreeConfig(settings: TreeSettings(criterion: .gini)).fit(x, .classes(labels: [0, 0, 0, 1, 1, 1], classes: ["a", "b"]))
        let tree = try XCTUnwrap(classifier.trees.first)
        XCTAssertEqual(tree.nodeCount, 3)
        XCTAssertEqual(tree.nodes[0].feature, 0)
        XCTAssertEqual(tree.nodes[0].threshold, 3.5)
        guard case .classes(let labels, let probabilities?) = classifier.predict(column([0, 3.5, 3.6, 100])) else { return XCTFail() }
        XCTAssertEqual(labels, [0, 0, 1, 1])
        XCTAssertEqual(probabilities.values, [1, 0, 1, 0, 0, 1, 0, 1])

        let regressor = try DecisionTreeConfig(settings: TreeSettings(criterion: .squaredError)).fit(x, .values([1, 1, 1, 5, 5, 5]))
        XCTAssertEqual(regressor.predict(column([2, 5])), .values([1, 5]))
        let stump = try DecisionTreeConfig(settings: TreeSettings(criterion: .squaredError, maxDepth: 1)).fit(column([1, 2, 3, 4]), .values([1, 2, 3, 10]))
        XCTAssertEqual(stump.trees[0].depth, 1)
        XCTAssertEqual(stump.predict(column([1, 4])), .values([2, 10]))
    }

    func testLeafSizeAndConstantFeatures() throws {
        let x = Matrix(rows: 6, columns: 2, values: [1, 7, 2, 7, 3, 7, 4, 7, 5, 7, 6, 7])
        let tree = try DecisionTreeConfig(settings: TreeSettings(criterion: .gini, minSamplesLeaf: 3)).fit(x, .classes(labels: [0, 1, 0, 1, 1, 1], classes: ["a", "b"]))
        XCTAssertEqual(tree.trees[0].nodes[0].feature, 0, "the constant feature is never chosen")
        XCTAssertEqual(tree.trees[0].nodeCount, 3, "leaves of at least 3 rows")
        let constant = try DecisionTreeConfig(settings: TreeSettings(criterion: .gini)).fit(column([5, 5, 5, 5]), .classes(labels: [0, 1, 0, 1], classes: ["a", "b"]))
        XCTAssertEqual(constant.trees[0].nodeCount, 1)
        guard case .classes(_, let probabilities?) = constant.predict(column([1])) else { return XCTFail() }
        XCTAssertEqual(probabilities.values, [0.5, 0.5])
    }

    func testFullTreeFitsIrisAndEntropyWorks() throws {
        let data = try Fixtures.data("iris.csv", target: "species")
        let target = try Target.encode(data.target, task: .classification)
        for criterion in [TreeSettings.Criterion.gini, .entropy] {
            let model = try DecisionTreeConfig(settings: TreeSettings(criterion: criterion), seed: 3).fit(data.x, target)
            let accuracy = try Scoring.score(.accuracy, truth: target, prediction: model.predict(data.x))
            XCTAssertGreaterThanOrEqual(accuracy, 0.99, "\(criterion)")
        }
    }

    private func twoFeatureData(rows: Int, seed: UInt64) -> (Matrix, Target) {
        var generator = SeededGenerator(seed: seed)
        var values: [Double] = [], labels: [Int] = []
        for _ in 0..<rows {
            let signal = generator.unit(), noise = generator.unit()
            values += [signal, noise]
            labels.append(signal + 0.1 * (generator.unit() - 0.5) > 0.5 ? 1 : 0)
        }
        return (Matrix(rows: rows, columns: 2, values: values), .classes(labels: labels, classes: ["no", "yes"]))
    }

    func testRandomForestIsThreadInvariantAndRanksFeatures() throws {
        let (x, target) = twoFeatureData(rows: 400, seed: 5)
        let settings = TreeSettings(criterion: .gini, maxFeatures: .sqrt)
        let one = try RandomForestConfig(trees: 20, settings: settings, seed: 9).fit(x, target, threads: 1)
        let four = try RandomForestConfig(trees: 20, settings: settings, seed: 9).fit(x, target, threads: 4)
        XCTAssertEqual(one, four)
        let importances = one.featureImportances
        XCTAssertEqual(importances.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertGreaterThan(importances[0], 0.8)
        guard case .classes(_, let p1?) = one.predict(x, threads: 1), case .classes(_, let p4?) = four.predict(x, threads: 4) else { return XCTFail() }
        XCTAssertEqual(p1.values.map(\.bitPattern), p4.values.map(\.bitPattern))
        for row in 0..<p1.rows { XCTAssertEqual(p1[row, 0] + p1[row, 1], 1, accuracy: 1e-12) }
        XCTAssertNotEqual(try RandomForestConfig(trees: 20, settings: settings, seed: 10).fit(x, target), one, "the seed matters")
    }

    /// Rows walk each tree several at a time; every row must land where a walk of its own
    /// lands, whatever its place in a block (blocks of 8, the rest one by one), missing values
    /// included (they go right, as scikit-learn's trees send NaN past every threshold).
    func testInterleavedForestPredictionMatchesRowByRow() throws {
        var (x, _) = twoFeatureData(rows: 301, seed: 4)
        let target = Target.classes(labels: (0..<x.rows).map { ($0 * 7919) % 5 < 2 ? 1 : 0 }, classes: ["no", "yes"])
        for row in stride(from: 0, to: x.rows, by: 13) { x.values[row * 2 + row % 2] = .nan }
        let regression = Target.values((0..<x.rows).map { Double($0 % 17) })
        for (settings, target) in [(TreeSettings(criterion: .gini, maxFeatures: .all), target), (TreeSettings(criterion: .squaredError, maxFeatures: .all), regression)] {
            let clean = Matrix(rows: x.rows, columns: 2, values: x.values.map { $0.isNaN ? 0 : $0 })
            let forest = try RandomForestConfig(trees: 7, settings: settings, seed: 3).fit(clean, target)
            XCTAssertGreaterThan(forest.trees[0].nodeCount, 31, "trees deep enough for the walks to differ in length")
            let together = forest.predict(x, threads: 2)
            for row in 0..<x.rows {
                let alone = forest.predict(Matrix(rows: 1, columns: 2, values: [x[row, 0], x[row, 1]]))
                switch (together, alone) {
                case (.classes(let labels, let probabilities?), .classes(let label, let probability?)):
                    XCTAssertEqual(labels[row], label[0])
                    XCTAssertEqual([probabilities[row, 0], probabilities[row, 1]].map(\.bitPattern), probability.values.map(\.bitPattern), "row \(row)")
                case (.values(let values), .values(let value)):
                    XCTAssertEqual(values[row].bitPattern, value[0].bitPattern, "row \(row)")
                default: XCTFail("prediction kinds differ")
                }
            }
        }
    }

    func testBinning() {
        let x = Matrix(rows: 6, columns: 1, values: [3, 1, 2, 2, .nan, 5])
        let binner = FeatureBinner(x, maxBins: 255, seed: 0)
        XCTAssertEqual(binner.thresholds[0], [1.5, 2.5, 4])
        XCTAssertEqual(binner.transform(x, threads: 1), [2, 0, 1, 1, 255, 3])
        let many = Matrix(rows: 1000, columns: 1, values: (0..<1000).map(Double.init))
        let quantiles = FeatureBinner(many, maxBins: 10, seed: 0)
        XCTAssertEqual(quantiles.thresholds[0].count, 9)
        XCTAssertEqual(quantiles.thresholds[0][0], 99.5, "numpy percentile(method=midpoint) at 10%")
    }

    /// Boosting bins its training rows in place: naming the rows gives the thresholds of a
    /// copy of them, also when there are more than the 200,000 the binner subsamples.
    func testBinningNamedRowsMatchesBinningACopyOfThem() {
        var generator = SeededGenerator(seed: 21)
        for rows in [3_000, 230_000] {
            let x = Matrix(rows: rows, columns: 2, values: (0..<rows * 2).map { index in
                index % 2 == 0 ? Double(generator.integer(below: 1_000_000)) / 7 : Double(generator.integer(below: 5)) })
            let named = (0..<rows).filter { $0 % 13 != 5 }
            XCTAssertEqual(FeatureBinner(x, rows: named, maxBins: 255, seed: 3), FeatureBinner(x.taking(rows: named), maxBins: 255, seed: 3), "\(rows) rows")
            XCTAssertNotEqual(FeatureBinner(x, rows: named, maxBins: 255, seed: 3).thresholds[0], FeatureBinner(x, maxBins: 255, seed: 3).thresholds[0])
        }
    }

    /// Binning sorts with a radix sort: the order of a comparison sort, for signs, infinities,
    /// subnormals, duplicates and columns whose values share their high bytes; -0 becomes +0.
    func testRadixSortOrdersAsTheComparisonSort() {
        var generator = SeededGenerator(seed: 12)
        let special: [Double] = [.infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .greatestFiniteMagnitude,
                                 -.greatestFiniteMagnitude, 0, -0.0, 1, -1, 1e-310, -1e-310]
        let columns: [[Double]] = [
            [], [-0.0], [3], [2, 1],
            (0..<5000).map { _ in Double(generator.integer(below: 2_000_000)) / 1000 - 1000 },
            (0..<5000).map { _ in 1 + Double(generator.integer(below: 1000)) / 1e12 },
            (0..<5000).map { _ in Double(generator.integer(below: 20)) - 10 },
            (0..<5000).map { index in special[index % special.count] * (index % 3 == 0 ? 1 : 0.5) },
        ]
        for column in columns {
            let expected = column.sorted().map { $0 == 0 ? 0 : $0 }
            XCTAssertEqual(RadixSort.ascending(column).map(\.bitPattern), expected.map(\.bitPattern), "\(column.prefix(4))")
        }
    }

    /// The two-step SIMD search gives the first threshold at or above each value, for every
    /// threshold count (none, one, a block and either side of it, the most), repeated
    /// thresholds, and values on, between and beyond them, each feature from its own
    /// thresholds; row ranges on several threads give the one-thread matrix.
    func testBinsAreTheFirstThresholdAtOrAboveTheValue() {
        var generator = SeededGenerator(seed: 4)
        let counts = [0, 1, 2, 3, 7, 15, 16, 17, 100, 240, 253, 254, 255]
        var features = counts.map { count in (0..<count).map { Double($0) * 1.5 - 3 } }
        // Repeated thresholds (a quantile on a run of equal values), and the largest finite one.
        features.append([-1, 0, 0, 0, 2, 2, 5, .greatestFiniteMagnitude])
        let table = ThresholdTable(features)
        for (feature, cuts) in features.enumerated() {
            var probes: [Double] = [-.infinity, .infinity, -.greatestFiniteMagnitude, .greatestFiniteMagnitude, -0.0, 0.0]
            probes += cuts + cuts.map { $0 + 0.75 } + cuts.map { $0.nextDown } + cuts.map { $0.nextUp }
            probes += (0..<200).map { _ in Double(generator.integer(below: 1_000_000)) / 1_000_000 * 400 - 10 }
            table.withSearch { bin in
                for value in probes {
                    let expected = cuts.firstIndex { value <= $0 } ?? cuts.count
                    XCTAssertEqual(bin(value, feature), expected, "\(value) among \(cuts.count) thresholds")
                }
            }
        }
        let rows = 30_000, columns = 5
        let x = Matrix(rows: rows, columns: columns, values: (0..<rows * columns).map { index in
            index % 11 == 0 ? .nan : Double(generator.integer(below: 10_000)) / 10 })
        let binner = FeatureBinner(x, maxBins: 255, seed: 0)
        let bins = binner.transform(x, threads: 1)
        XCTAssertEqual(bins, binner.transform(x, threads: 3))
        XCTAssertEqual(bins[0], 255, "missing values go to the missing bin")
        for index in stride(from: 1, to: rows * columns, by: 997) where !x.values[index].isNaN {
            let cuts = binner.thresholds[index % columns]
            XCTAssertEqual(Int(bins[index]), cuts.firstIndex { x.values[index] <= $0 } ?? cuts.count)
        }
    }

    func testBoostingLearnsEveryLossAndIsThreadInvariant() throws {
        let (x, binary) = twoFeatureData(rows: 600, seed: 1)
        guard case .classes(let labels, _) = binary else { return }
        let multiclass = Target.classes(labels: zip(labels, 0..<600).map { $0 + ($1 % 3 == 0 ? 1 : 0) }, classes: ["a", "b", "c"])
        let regression = Target.values((0..<600).map { x[$0, 0] * 3 + x[$0, 1] })
        for target in [binary, multiclass, regression] {
            let config = HistGradientBoostingConfig(maxIterations: 30, minSamplesLeaf: 5, earlyStopping: .off, seed: 2)
            let model = try config.fit(x, target, threads: 1)
            XCTAssertEqual(model, try config.fit(x, target, threads: 4))
            XCTAssertEqual(model.iterations, 30)
            let prediction = model.predict(x)
            switch (target, prediction) {
            case (.values, .values):
                XCTAssertGreaterThan(try Scoring.score(.r2, truth: target, prediction: prediction), 0.95)
            case (.classes(_, let classes), .classes(_, let probabilities?)):
                XCTAssertEqual(probabilities.columns, classes.count)
                for row in 0..<probabilities.rows {
                    XCTAssertEqual((0..<classes.count).reduce(0.0) { $0 + probabilities[row, $1] }, 1, accuracy: 1e-12)
                }
                XCTAssertGreaterThan(try Scoring.score(.accuracy, truth: target, prediction: prediction), 0.6)
            default:
                XCTFail("prediction does not match the target")
            }
        }
    }

    func testBoostingRoutesMissingValuesAsLearned() throws {
        // Missing x means class 1; present x below 5 means class 0, above means class 1.
        var values: [Double] = [], labels: [Int] = []
        for index in 0..<300 {
            if index % 3 == 0 { values.append(.nan); labels.append(1) } else {
                let value = Double(index % 10)
                values.append(value)
                labels.append(value < 5 ? 0 : 1)
            }
        }
        let model = try HistGradientBoostingConfig(maxIterations: 20, minSamplesLeaf: 5, earlyStopping: .off).fit(column(values), .classes(labels: labels, classes: ["0", "1"]))
        guard case .classes(let predicted, _) = model.predict(column([.nan, 1, 8])) else { return XCTFail() }
        XCTAssertEqual(predicted, [1, 0, 1])
        XCTAssertTrue(model.trees[0].missingLeft.contains(true) || model.trees[0].missingLeft.contains(false))
        // No missing values in training: a missing value at prediction time still gets an answer.
        let complete = try HistGradientBoostingConfig(maxIterations: 5, minSamplesLeaf: 5, earlyStopping: .off).fit(column((0..<100).map(Double.init)), .values((0..<100).map { Double($0 % 7) }))
        guard case .values(let values2) = complete.predict(column([.nan])) else { return XCTFail() }
        XCTAssertTrue(values2[0].isFinite)
    }

    func testBoostingStopsEarlyOnNoise() throws {
        var generator = SeededGenerator(seed: 4)
        let x = Matrix(rows: 2000, columns: 3, values: (0..<6000).map { _ in generator.unit() })
        let noise = Target.values((0..<2000).map { _ in generator.unit() })
        let model = try HistGradientBoostingConfig(maxIterations: 200, earlyStopping: .on, seed: 1).fit(x, noise)
        XCTAssertLessThan(model.iterations, 200)
    }

    func testBoostingRejectsBadSettings() {
        XCTAssertThrowsError(try HistGradientBoostingConfig(learningRate: 0).fit(column([1, 2]), .values([1, 2]))) { error in
            XCTAssertEqual((error as? LearnError)?.message, "hist_gradient_boosting.learning_rate must be > 0, found 0.0")
        }
        XCTAssertThrowsError(try PipelineConfig(steps: [], model: ModelConfig(HistGradientBoostingConfig())).fit(try! Table(columns: [Column(name: "x", numeric: [])]), .values([]))) { error in
            XCTAssertEqual((error as? LearnError)?.message, "the training data has no rows")
        }
    }

    func testFittedTreesRoundTripAsData() throws {
        let (x, target) = twoFeatureData(rows: 100, seed: 8)
        let forest = FittedModel.trees(try RandomForestConfig(trees: 3, settings: TreeSettings(criterion: .entropy, maxDepth: 4)).fit(x, target))
        let boosted = FittedModel.boosting(try HistGradientBoostingConfig(maxIterations: 3, minSamplesLeaf: 5, earlyStopping: .off).fit(x, target))
        for model in [forest, boosted] {
            let encoder = JSONEncoder(), decoder = JSONDecoder()
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            let decoded = try decoder.decode(FittedModel.self, from: encoder.encode(model))
            XCTAssertEqual(decoded.predict(x), model.predict(x))
        }
    }
}
