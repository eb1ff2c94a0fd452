import Foundation
import XCTest
@testable import Learn
import Tabular

final class ModelSelectionTests: XCTestCase {
    private func labels(_ counts: [Int]) -> Target {
        var labels: [Int] = []
        for (label, count) in counts.enumerated() { labels += Array(repeating: label, count: count) }
        return .classes(labels: labels, classes: counts.indices.map { "c\($0)" })
    }

    func testStratifiedTrainTestSplitKeepsProportions() throws {
        let target = labels([50, 30, 20])
        let split = try DataSplit.trainTest(target, testSize: .fraction(0.2), stratify: true, shuffle: true, seed: 42)
        XCTAssertEqual(split.test.count, 20)
        XCTAssertEqual(split.train.count + split.test.count, 100)
        XCTAssertTrue(Set(split.train).isDisjoint(with: split.test))
        guard case .classes(let all, _) = target else { return }
        XCTAssertEqual([0, 1, 2].map { c in split.test.filter { all[$0] == c }.count }, [10, 6, 4])
        XCTAssertEqual(try DataSplit.trainTest(target, testSize: .fraction(0.2), stratify: true, shuffle: true, seed: 42).test, split.test, "same seed, same rows")
        XCTAssertNotEqual(try DataSplit.trainTest(target, testSize: .fraction(0.2), stratify: true, shuffle: true, seed: 43).test, split.test)
        XCTAssertEqual(try DataSplit.trainTest(.values((0..<10).map(Double.init)), testSize: .rows(3), stratify: false, shuffle: false, seed: 0).test, [7, 8, 9])
    }

    func testSplitErrors() {
        XCTAssertThrowsError(try DataSplit.trainTest(labels([5, 1]), testSize: .fraction(0.2), stratify: true, shuffle: true, seed: 0)) { error in
            XCTAssertEqual((error as? LearnError)?.message, "class 'c1' has only 1 row; a stratified split needs at least 2 per class (remove or merge the class, or set split.stratify: false)")
        }
        XCTAssertThrowsError(try DataSplit.trainTest(.values([1, 2]), testSize: .rows(2), stratify: false, shuffle: true, seed: 0))
        XCTAssertThrowsError(try DataSplit.folds(labels([20, 3]), count: 5, stratified: true, shuffle: true, seed: 0)) { error in
            XCTAssertEqual((error as? LearnError)?.message, "class 'c1' has 3 training rows, fewer than the 5 folds; lower search.cv, merge rare classes, or set search.stratified: false")
        }
    }

    func testFoldsValidateEveryRowOnce() throws {
        for stratified in [false, true] {
            let target = labels([23, 17, 11])
            let folds = try DataSplit.folds(target, count: 5, stratified: stratified, shuffle: true, seed: 9)
            XCTAssertEqual(folds.flatMap(\.validation).sorted(), Array(0..<51))
            XCTAssertEqual(folds.map(\.validation.count).sorted(), [10, 10, 10, 10, 11])
            for fold in folds { XCTAssertEqual(fold.train.count + fold.validation.count, 51) }
            if stratified, case .classes(let all, _) = target {
                for fold in folds {
                    let counts = [0, 1, 2].map { c in fold.validation.filter { all[$0] == c }.count }
                    XCTAssertTrue(zip(counts, [23, 17, 11]).allSatisfy { abs(Double($0) - Double($1) / 5) < 1 }, "\(counts)")
                }
            }
        }
    }

    private func irisSearch(threads: Int) throws -> SearchResult {
        let table = try Fixtures.table("iris.csv")
        let target = try Target.encode(table["species"]!, task: .classification)
        let features = table.dropping(columns: ["species"])
        let steps: [PreprocessingConfig] = [.scale(columns: .numeric, method: .standard)]
        var candidates = [0.01, 0.1, 1, 10].map { c in
            SearchCandidate(model: "logreg", params: ["C": "\(c)"], pipeline: PipelineConfig(steps: steps, model: ModelConfig(LogisticRegressionConfig(c: c))))
        }
        candidates += [3, 9].map { k in
            SearchCandidate(model: "knn", params: ["n_neighbors": "\(k)"], pipeline: PipelineConfig(steps: steps, model: ModelConfig(KNeighborsConfig(neighbors: k))))
        }
        candidates.append(SearchCandidate(model: "nb", params: [:], pipeline: PipelineConfig(steps: [], model: ModelConfig(GaussianNBConfig()))))
        return try ModelSearch.run(features: features, target: target, candidates: candidates,
                                   settings: SearchSettings(folds: 5, seed: 42, scoring: .accuracy, metrics: [.f1Macro, .logLoss, .rocAUC], threads: threads))
    }

    func testSearchResultsDoNotDependOnThreadCount() throws {
        let one = try irisSearch(threads: 1)
        let four = try irisSearch(threads: 4)
        XCTAssertEqual(one.bestIndex, four.bestIndex)
        for (a, b) in zip(one.candidates, four.candidates) {
            XCTAssertEqual(a.params, b.params)
            for metric in [Metric.accuracy, .f1Macro, .logLoss, .rocAUC] {
                XCTAssertEqual(a.scores[metric]!.folds.map(\.bitPattern), b.scores[metric]!.folds.map(\.bitPattern), "\(a.model) \(metric)")
            }
        }
        XCTAssertGreaterThan(one.best.scores[.accuracy]!.mean, 0.9)
        XCTAssertEqual(one.candidates.count, 7)
        XCTAssertEqual(one.candidates[0].scores[.accuracy]!.folds.count, 5)
    }

    func testSearchErrorsNameTheCandidateAndTheFix() throws {
        let table = try! Table(columns: [Column(name: "x", numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), Column(name: "color", strings: ["r", "g", "r", "g", "b", "r", "g", "b", "r", "g"])])
        let target = Target.values([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        let candidate = SearchCandidate(model: "ridge", params: ["alpha": "1"], pipeline: PipelineConfig(steps: [], model: ModelConfig(RidgeConfig())))
        XCTAssertThrowsError(try ModelSearch.run(features: table, target: target, candidates: [candidate], settings: SearchSettings(folds: 2, scoring: .r2))) { error in
            XCTAssertEqual((error as? LearnError)?.message, "model 'ridge' with alpha=1, fold 1 of 2: column 'color' is categorical and reaches ridge unencoded; add `- one_hot: {columns: [color]}` (or ordinal) to preprocess")
        }
        let gappy = try! Table(columns: [Column(name: "x", numeric: [1, .nan, 3, 4, 5, 6, 7, 8, 9, 10])])
        XCTAssertThrowsError(try PipelineConfig(steps: [], model: ModelConfig(RidgeConfig())).fit(gappy, target)) { error in
            XCTAssertEqual((error as? LearnError)?.message, "column 'x' has 1 missing value when it reaches ridge, which cannot take them; add `- impute: {columns: [x]}` to preprocess")
        }
        let infinite = try! Table(columns: [Column(name: "x", numeric: [1, .infinity, 3, 4, 5, 6, 7, 8, 9, 10])])
        XCTAssertThrowsError(try PipelineConfig(steps: [], model: ModelConfig(RidgeConfig())).fit(infinite, target))
        XCTAssertThrowsError(try PipelineConfig(steps: [], model: ModelConfig(LogisticRegressionConfig())).fit(try! Table(columns: [Column(name: "x", numeric: [1, 2])]), .values([1, 2]))) { error in
            XCTAssertEqual((error as? LearnError)?.message, "logistic_regression does not do regression")
        }
    }

    func testFittedPipelinePredictsWithTrainingState() throws {
        let train = try! Table(columns: [Column(name: "x", numeric: [0, 1, 2, 3, .nan]), Column(name: "c", strings: ["a", "b", "a", "b", "a"])])
        let pipeline = PipelineConfig(steps: [
            .impute(columns: .numeric, strategy: .mean, fillValue: nil),
            .oneHot(columns: .categorical, ignoreUnknown: true, drop: .none),
            .scale(columns: .names(["x"]), method: .standard),
        ], model: ModelConfig(RidgeConfig(alpha: 0.001)))
        let fitted = try pipeline.fit(train, .values([1, 3, 5, 7, 4]))
        XCTAssertEqual(fitted.featureNames, ["x", "c_a", "c_b"])
        let test = try! Table(columns: [Column(name: "c", strings: ["z"]), Column(name: "x", numeric: [.nan]), Column(name: "extra", numeric: [9])])
        guard case .values(let predicted) = try fitted.predict(test) else { return XCTFail() }
        XCTAssertEqual(predicted.count, 1)
        XCTAssertTrue(predicted[0].isFinite)
        XCTAssertThrowsError(try fitted.predict(try! Table(columns: [Column(name: "x", numeric: [1])]))) { error in
            XCTAssertEqual(error as? LearnError, .missingColumn(column: "c", message: "the input lacks column 'c', which the model needs"))
        }
        // Bad prediction input gets advice about the input, not about fitting.
        XCTAssertThrowsError(try fitted.predict(try! Table(columns: [Column(name: "c", strings: ["a"]), Column(name: "x", numeric: [.infinity])]))) { error in
            XCTAssertEqual((error as? LearnError)?.message, "input row 1, column 'x': the value is infinite after preprocessing; send finite numbers")
        }
        // Inputs so large that the arithmetic overflows are refused, never answered with NaN.
        let linear = try PipelineConfig(steps: [], model: ModelConfig(LinearRegressionConfig())).fit(
            try! Table(columns: [Column(name: "x", numeric: [0, 1, 2, 3]), Column(name: "z", numeric: [1, 0, 1, 0])]), .values([1, 1, 3, 3]))
        XCTAssertThrowsError(try linear.predict(try! Table(columns: [Column(name: "x", numeric: [1, 1e308]), Column(name: "z", numeric: [0, 1e308])]))) { error in
            XCTAssertEqual((error as? LearnError)?.message, "row 2: the model's output is not a finite number; its values lie too far outside the data the model was fitted on")
        }
        let encoded = try JSONEncoder().encode(fitted)
        XCTAssertEqual(try JSONDecoder().decode(FittedPipeline.self, from: encoded), fitted, "learned state round-trips as plain data")
    }
}
