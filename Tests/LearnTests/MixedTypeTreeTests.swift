import XCTest
@testable import Learn

/// The two shortcuts for one-hot encoded (binary) features: boosting bundles mutually
/// exclusive binary features into one histogram column; forests count, instead of sorting,
/// features with few distinct values. Both must find the splits the plain algorithms find.
final class MixedTypeTreeTests: XCTestCase {
    /// Rows of 2 numeric columns, a 5-level and a 3-level category one-hot encoded (8 binary
    /// columns), a small-integer column, and a binary column that overlaps the categories.
    private func mixedData(rows: Int, seed: UInt64) -> (x: Matrix, labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        var values: [Double] = []
        var labels: [Int] = []
        for _ in 0..<rows {
            let a = Double(generator.integer(below: 1000)) / 100, b = Double(generator.integer(below: 50))
            let first = generator.integer(below: 5), second = generator.integer(below: 3), small = generator.integer(below: 7)
            let flag = generator.integer(below: 2)
            var row = [a, b]
            row += (0..<5).map { $0 == first ? 1 : 0 }
            row += (0..<3).map { $0 == second ? 1 : 0 }
            row += [Double(small), Double(flag)]
            values += row
            let score = a / 3 + (first == 2 ? 2 : 0) + (second == 0 ? 1.5 : 0) + Double(small) / 4 + Double(flag) + Double(generator.integer(below: 3))
            labels.append(score < 4 ? 0 : score < 6 ? 1 : 2)
        }
        return (Matrix(rows: rows, columns: 12, values: values), labels)
    }

    /// Few-valued columns are binned from a scan of their distinct values instead of a sort of
    /// all of them: the thresholds must be the sort's, bit for bit, at and around the limit.
    func testFewValuedColumnsGetTheThresholdsOfTheSort() {
        var generator = SeededGenerator(seed: 9)
        let rows = 3000
        let columns: [[Double]] = [
            (0..<rows).map { _ in Double(generator.integer(below: 2)) },
            (0..<rows).map { index in index % 7 == 0 ? .nan : [-0.0, 0.0, 1.5, -2][generator.integer(below: 4)] },
            (0..<rows).map { _ in Double(generator.integer(below: 255)) * 0.1 },
            (0..<rows).map { _ in Double(generator.integer(below: 256)) * 0.1 },
            (0..<rows).map { index in index < 2990 ? 3 : Double(index) },
            (0..<rows).map { _ in Double(generator.integer(below: 1_000_000)) / 7 },
            [Double](repeating: .nan, count: rows),
        ]
        var values: [Double] = []
        for row in 0..<rows { values += columns.map { $0[row] } }
        let x = Matrix(rows: rows, columns: columns.count, values: values)
        for maxBins in [255, 10] {
            let binner = FeatureBinner(x, maxBins: maxBins, seed: 0)
            XCTAssertEqual(binner, FeatureBinner(x, maxBins: maxBins, seed: 0, threads: 3), "blocks of features on threads")
            for (feature, column) in columns.enumerated() {
                let sorted = FeatureBinner.quantileThresholds(column, maxBins: maxBins)
                XCTAssertEqual(binner.thresholds[feature].map(\.bitPattern), sorted.map(\.bitPattern), "feature \(feature), \(maxBins) bins")
            }
            XCTAssertNotNil(FeatureBinner.fewDistinctValues(x, features: 0..<1, rows: Array(0..<rows), limit: maxBins)[0])
            XCTAssertNil(FeatureBinner.fewDistinctValues(x, features: 5..<6, rows: Array(0..<rows), limit: maxBins)[0])
        }
        XCTAssertNotNil(FeatureBinner.fewDistinctValues(x, features: 2..<3, rows: Array(0..<rows), limit: 255)[0])
        XCTAssertNil(FeatureBinner.fewDistinctValues(x, features: 3..<4, rows: Array(0..<rows), limit: 255)[0])
    }

    func testExclusiveBinaryFeaturesShareAColumnAndDecodeToTheirBins() throws {
        var (x, _) = mixedData(rows: 400, seed: 3)
        // A binary feature with a missing value in training keeps its own column.
        x.values[3 * 12 + 11] = .nan
        let binner = FeatureBinner(x, maxBins: 255, seed: 0)
        let bins = binner.transform(x, threads: 1)
        let valueBins = binner.thresholds.map { $0.count + 1 }
        let columns = BinnedColumns(bins: bins, rowCount: x.rows, featureCount: 12, valueBins: valueBins, missingBin: binner.missingBin, trainingRows: Array(0..<x.rows))
        // 2 numeric + one bundle per category (a row holds one level of each, so the two
        // categories conflict) + small integers + the flag.
        XCTAssertEqual(columns.columnCount, 6)
        let first = columns.featureColumn[2], second = columns.featureColumn[7]
        XCTAssertNotEqual(first, second)
        XCTAssertEqual((2..<7).map { columns.featureColumn[$0] }, Array(repeating: first, count: 5))
        XCTAssertEqual((7..<10).map { columns.featureColumn[$0] }, Array(repeating: second, count: 3))
        XCTAssertEqual((2..<7).compactMap { columns.featureSlot[$0] }, Array(1...5))
        XCTAssertEqual((7..<10).compactMap { columns.featureSlot[$0] }, Array(1...3))
        XCTAssertEqual(columns.binCounts[first], 6)
        XCTAssertEqual(columns.binCounts[second], 4)
        for feature in [0, 1, 10, 11] { XCTAssertNil(columns.featureSlot[feature]) }
        XCTAssertEqual(columns.totalBins, columns.binCounts.reduce(0, +))
        // Every (row, feature) bin is recovered from the packed columns.
        for row in 0..<x.rows {
            for feature in 0..<12 {
                let packed = Int(columns.columnBins[columns.featureColumn[feature] * columns.rowCount + row])
                let original = Int(bins[row * 12 + feature])
                if let slot = columns.featureSlot[feature] {
                    XCTAssertEqual(packed == slot ? 1 : 0, original, "row \(row) feature \(feature)")
                } else {
                    XCTAssertEqual(packed, original == binner.missingBin ? valueBins[feature] : original, "row \(row) feature \(feature)")
                }
            }
        }
    }

    func testBundledBoostingGrowsTheSameTrees() throws {
        let (x, labels) = mixedData(rows: 3000, seed: 11)
        let binner = FeatureBinner(x, maxBins: 255, seed: 0)
        let bins = binner.transform(x, threads: 1)
        let valueBins = binner.thresholds.map { $0.count + 1 }
        let gradients = (0..<x.rows).map { row in labels[row] == 2 ? -0.7 : 0.3 + Double(row % 7) / 100 }
        let hessians = (0..<x.rows).map { row in 0.2 + Double(row % 5) / 50 }
        func grow(bundling: Bool, threads: Int) -> HistogramGrower.Outcome {
            let columns = BinnedColumns(bins: bins, rowCount: x.rows, featureCount: 12, valueBins: valueBins, missingBin: binner.missingBin,
                                        trainingRows: Array(0..<x.rows), bundling: bundling)
            let grower = HistogramGrower(columns: columns, thresholds: binner.thresholds,
                                         settings: .init(maxLeafNodes: 31, maxDepth: nil, minSamplesLeaf: 20, l2: 0, learningRate: 0.1, threads: threads))
            var samples = (0..<x.rows).map(UInt32.init)
            return gradients.withUnsafeBufferPointer { gradients in
                hessians.withUnsafeBufferPointer { hessians in grower.grow(gradients: gradients, hessians: hessians, samples: &samples) }
            }
        }
        let plain = grow(bundling: false, threads: 1)
        let bundled = grow(bundling: true, threads: 1)
        XCTAssertEqual(bundled.tree.features, plain.tree.features)
        XCTAssertEqual(bundled.tree.thresholds, plain.tree.thresholds)
        XCTAssertEqual(bundled.tree.missingLeft, plain.tree.missingLeft)
        XCTAssertEqual(bundled.tree.left, plain.tree.left)
        XCTAssertTrue(plain.tree.features.contains { (2..<10).contains(Int($0)) }, "the test splits on a bundled feature")
        // A bundled feature's first bin is the node minus its second: the same sums to rounding.
        for (a, b) in zip(bundled.tree.values, plain.tree.values) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        XCTAssertEqual(grow(bundling: true, threads: 4).tree, bundled.tree, "the thread count changes nothing")
    }

    /// Large enough for every parallel path of a boosting fit (derivatives, the node-order
    /// copies and leaf updates from 20,000 rows, node partitions from 16,384, histograms by
    /// blocks of rows from 32,768): the models on 1, 2 and 3 threads are identical, binary and
    /// multiclass.
    func testLargeBoostingFitsDoNotDependOnTheThreadCount() throws {
        let (x, labels) = mixedData(rows: 40_000, seed: 5)
        for target in [Target.classes(labels: labels, classes: ["a", "b", "c"]), .classes(labels: labels.map { $0 == 2 ? 1 : 0 }, classes: ["n", "y"])] {
            let config = HistGradientBoostingConfig(maxIterations: 3, seed: 1)
            let one = try config.fit(x, target, threads: 1)
            XCTAssertGreaterThan(one.trees[0].features.count, 31, "trees with many splits")
            XCTAssertEqual(try config.fit(x, target, threads: 2), one)
            XCTAssertEqual(try config.fit(x, target, threads: 3), one)
        }
    }

    /// Counting, also two-valued features in two-class nodes (added up in registers), and the
    /// labels gathered once per node, gives the splits of sorting.
    func testCountedForestSplitsAreTheSortedOnes() throws {
        let (x, labels) = mixedData(rows: 2500, seed: 5)
        for target in [Target.classes(labels: labels, classes: ["a", "b", "c"]), .classes(labels: labels.map { $0 == 2 ? 1 : 0 }, classes: ["n", "y"])] {
            let data = TreeData(x, target: target)
            for criterion in [TreeSettings.Criterion.gini, .entropy] {
                for seed: UInt64 in [1, 2, 3] {
                    var generator = SeededGenerator(seed: seed)
                    // Bootstrap counts, as a forest weighs rows.
                    var weights = [Double](repeating: 0, count: x.rows)
                    for _ in 0..<x.rows { weights[generator.integer(below: x.rows)] += 1 }
                    let settings = TreeSettings(criterion: criterion, minSamplesLeaf: 2, maxFeatures: .sqrt)
                    var counted = TreeBuilder(data: data, settings: settings, weights: weights, seed: seed)
                    var sorted = TreeBuilder(data: data, settings: settings, weights: weights, seed: seed, countedRanks: 0)
                    let countedTree = counted.build(), sortedTree = sorted.build()
                    XCTAssertEqual(countedTree, sortedTree, "\(criterion) seed \(seed)")
                    XCTAssertGreaterThan(countedTree.nodes.count, 50)
                }
            }
        }
    }
}
