import XCTest
import Tabular
@testable import Learn

/// `categorical: native` boosting: columns an ordinal step encodes are split on sets of
/// categories, missing and unseen categories go the learned missing way, the model does not
/// depend on the thread count, and misuse is refused with a message that says what to do.
final class NativeCategoricalTests: XCTestCase {
    /// A numeric column, and a 12-category column whose effect is not monotone in its codes
    /// (codes 1, 4, 7 and 8 raise the score): threshold splits need several cuts for what
    /// one set split says. Every 50th category is missing.
    private func data(rows: Int, seed: UInt64) -> (x: Matrix, labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        var values: [Double] = [], labels: [Int] = []
        for row in 0..<rows {
            let number = Double(generator.integer(below: 1000)) / 100
            let category = generator.integer(below: 12)
            values += [number, row % 50 == 7 ? .nan : Double(category)]
            let raised = [1, 4, 7, 8].contains(category) && row % 50 != 7
            labels.append((raised ? 3 : 0) + number / 4 + Double(generator.integer(below: 2)) > 3 ? 1 : 0)
        }
        return (Matrix(rows: rows, columns: 2, values: values), labels)
    }

    private func columns(_ counts: [Int]) -> ColumnKinds { ColumnKinds(categoryCounts: counts, names: counts.indices.map { "c\($0)" }) }

    func testOneSetSplitSeparatesCategoriesThatThresholdsCannot() throws {
        let (x, labels) = data(rows: 4000, seed: 3)
        let stump = HistGradientBoostingConfig(learningRate: 1, maxIterations: 1, maxLeafNodes: 2, earlyStopping: .off, categorical: .native)
        let model = try stump.fit(x, .classes(labels: labels, classes: ["n", "y"]), columns: columns([0, 12]))
        let tree = model.trees[0]
        XCTAssertEqual(tree.features[0], 1, "the root splits the category")
        XCTAssertEqual(tree.categorySet, [0, -1, -1])
        // One side holds exactly the raising categories (the set read from either end).
        let left = Set(tree.leftCategories(ofSet: 0).filter { $0 < 12 })
        XCTAssertTrue(left == [1, 4, 7, 8] || left == Set(0..<12).subtracting([1, 4, 7, 8]), "\(left.sorted())")
        // Codes above the categories go as missing values do.
        XCTAssertEqual(Set(tree.leftCategories(ofSet: 0).filter { $0 >= 12 }).count, tree.missingLeft[0] ? 244 : 0)

        // The same stump as numbers can only cut the codes once.
        let numeric = try HistGradientBoostingConfig(learningRate: 1, maxIterations: 1, maxLeafNodes: 2, earlyStopping: .off).fit(x, .classes(labels: labels, classes: ["n", "y"]))
        XCTAssertTrue(numeric.trees[0].categorySet.isEmpty, "a numeric tree is stored as before")
        func accuracy(_ model: BoostedTrees) -> Double {
            guard case .classes(let predicted, _) = model.predict(x) else { return 0 }
            return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
        }
        XCTAssertGreaterThan(accuracy(model), accuracy(numeric) + 0.05)
    }

    func testMissingAndUnseenCategoriesGoTheMissingWay() throws {
        let (x, labels) = data(rows: 4000, seed: 4)
        let model = try HistGradientBoostingConfig(maxIterations: 20, earlyStopping: .off, categorical: .native)
            .fit(x, .classes(labels: labels, classes: ["n", "y"]), columns: columns([0, 12]))
        XCTAssertTrue(model.trees.contains { !$0.categorySet.isEmpty })
        for number in [0.5, 4.0, 9.5] {
            let rows: [[Double]] = [[number, .nan], [number, -1], [number, 12], [number, 255], [number, 300], [number, 2.5], [number, -.infinity]]
            let scores = rows.map { row in model.rawScores(Matrix(rows: 1, columns: 2, values: row), threads: 1)[0] }
            for (row, score) in zip(rows.dropFirst(), scores.dropFirst()) { XCTAssertEqual(score, scores[0], "\(row) goes as a missing value") }
        }
    }

    /// 40,000 rows: nodes above 16,384 rows are partitioned by two threads, and histograms
    /// and row passes run in parallel.
    func testNativeFitsDoNotDependOnTheThreadCount() throws {
        let (x, labels) = data(rows: 40_000, seed: 5)
        let config = HistGradientBoostingConfig(maxIterations: 4, seed: 2, categorical: .native)
        let target = Target.classes(labels: labels, classes: ["n", "y"])
        let one = try config.fit(x, target, threads: 1, columns: columns([0, 12]))
        XCTAssertTrue(one.trees.allSatisfy { !$0.categorySet.isEmpty })
        XCTAssertEqual(try config.fit(x, target, threads: 2, columns: columns([0, 12])), one)
        XCTAssertEqual(try config.fit(x, target, threads: 3, columns: columns([0, 12])), one)
    }

    func testCategoricalTreesRoundTripAndBadSetsAreFound() throws {
        let (x, labels) = data(rows: 2000, seed: 6)
        let model = try HistGradientBoostingConfig(maxIterations: 3, earlyStopping: .off, categorical: .native)
            .fit(x, .classes(labels: labels, classes: ["n", "y"]), columns: columns([0, 12]))
        let data = try JSONEncoder().encode(model)
        XCTAssertEqual(try JSONDecoder().decode(BoostedTrees.self, from: data), model)
        var tree = try XCTUnwrap(model.trees.first { !$0.categorySet.isEmpty })
        XCTAssertNil(tree.structuralProblem(features: 2))
        let node = try XCTUnwrap(tree.categorySet.firstIndex { $0 >= 0 })
        let leaf = try XCTUnwrap(tree.features.firstIndex { $0 < 0 })
        var onLeaf = tree
        onLeaf.categorySet[leaf] = onLeaf.categorySet[node]
        XCTAssertNotNil(onLeaf.structuralProblem(features: 2))
        var unused = tree
        unused.categorySets += [UInt8](repeating: 0, count: BoostingTree.categorySetBytes)
        XCTAssertNotNil(unused.structuralProblem(features: 2))
        tree.categorySet[node] = 99
        XCTAssertNotNil(tree.structuralProblem(features: 2))
        XCTAssertThrowsError(try JSONDecoder().decode(BoostingTree.self, from: JSONEncoder().encode(tree)))
    }

    /// Through a pipeline: the ordinal step's columns are the native ones; one-hot encoded or
    /// rescaled codes are not, and native splits without any are refused.
    func testPipelinePassesOrdinalColumnsAndRefusesMisuse() throws {
        let rows = 600
        var generator = SeededGenerator(seed: 8)
        let colours = ["red", "green", "blue", "grey", "black", "white"]
        let colour = (0..<rows).map { _ in colours[generator.integer(below: colours.count)] }
        let size = (0..<rows).map { _ in Double(generator.integer(below: 100)) }
        let labels = (0..<rows).map { ["green", "grey", "white"].contains(colour[$0]) || size[$0] > 80 ? 1 : 0 }
        let table = try Table(columns: [Column(name: "colour", strings: colour), Column(name: "size", numeric: size)])
        let target = Target.classes(labels: labels, classes: ["n", "y"])
        let native = ModelConfig(HistGradientBoostingConfig(maxIterations: 10, minSamplesLeaf: 5, earlyStopping: .off, categorical: .native))
        let ordinal = PreprocessingConfig.ordinal(columns: .categorical, categories: [:], unknownValue: -1)
        let fitted = try PipelineConfig(steps: [ordinal], model: native).fit(table, target)
        guard case .boosting(let model) = fitted.model else { return XCTFail("a boosting model") }
        XCTAssertTrue(model.trees.contains { !$0.categorySet.isEmpty })
        let unseen = try Table(columns: [Column(name: "colour", strings: ["purple", nil]), Column(name: "size", numeric: [10, 10])])
        guard case .classes(let predicted, _) = try fitted.predict(unseen) else { return XCTFail("classes") }
        XCTAssertEqual(predicted[0], predicted[1], "an unseen colour goes as a missing one")

        XCTAssertEqual(FittedTransformer.categoryCounts(after: [.ordinal(columns: ["colour"], categories: [colours], unknownValue: nil)]), ["colour": 6])
        XCTAssertEqual(FittedTransformer.categoryCounts(after: [.ordinal(columns: ["colour"], categories: [colours], unknownValue: nil),
                                                               .scale(columns: ["colour", "size"], offsets: [0, 0], scales: [1, 1])]), [:])
        let oneHot = PreprocessingConfig.oneHot(columns: .categorical, ignoreUnknown: true, drop: .none)
        XCTAssertThrowsError(try PipelineConfig(steps: [oneHot], model: native).fit(table, target)) { error in
            XCTAssertTrue("\(error)".contains("encode the categorical columns with ordinal (not one_hot)"), "\(error)")
        }
        let many = try Table(columns: [Column(name: "code", strings: (0..<rows).map { "k\($0 % 300)" }), Column(name: "size", numeric: size)])
        XCTAssertThrowsError(try PipelineConfig(steps: [ordinal], model: native).fit(many, target)) { error in
            XCTAssertTrue("\(error)".contains("column 'code' has 300 categories and hist_gradient_boosting.max_bins is 255"), "\(error)")
        }
    }
}
