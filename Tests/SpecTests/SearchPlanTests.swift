import Foundation
import XCTest
import Learn
@testable import Spec
import Tabular

/// The spec's grid, strategy and preprocessing reach the learning core intact, and the search
/// gives identical results on 1 and 4 threads.
final class SearchPlanTests: XCTestCase {
    private func load(_ name: String) throws -> (Experiment, Table, LearningTask) {
        let check = SpecLoader.load(path: TestPaths.experiments.appendingPathComponent(name).path)
        return (try XCTUnwrap(check.experiment), try XCTUnwrap(check.table), try XCTUnwrap(check.task))
    }

    private func features(_ experiment: Experiment, _ table: Table) -> Table {
        table.dropping(columns: Set(experiment.data.drop.map(\.value) + [experiment.data.target.value]))
    }

    private func run(_ name: String, threads: Int) throws -> SearchResult {
        let (experiment, table, task) = try load(name)
        let features = features(experiment, table)
        let plan = try experiment.searchPlan(task: task, columns: features.columns.map { ($0.name, $0.kind) }, threads: threads)
        let target = try Target.encode(table[experiment.data.target.value]!, task: task)
        let split = try DataSplit.trainTest(target, testSize: plan.testSize, stratify: plan.stratifySplit, shuffle: plan.shuffleSplit, seed: experiment.seed)
        return try ModelSearch.run(features: features.taking(rows: split.train), target: target.taking(rows: split.train), candidates: plan.candidates, settings: plan.settings)
    }

    func testRandomSearchOverTheSpecsGridIsThreadInvariant() throws {
        let one = try run("titanic.json", threads: 1)
        let four = try run("titanic.json", threads: 4)
        XCTAssertEqual(one.candidates.count, 6, "random: 3 per model")
        XCTAssertEqual(one.candidates.map(\.model), ["logreg", "logreg", "logreg", "neighbours", "neighbours", "neighbours"])
        XCTAssertEqual(one.bestIndex, four.bestIndex)
        for (a, b) in zip(one.candidates, four.candidates) {
            XCTAssertEqual(a.params, b.params)
            for (metric, scores) in a.scores {
                XCTAssertEqual(scores.folds.map(\.bitPattern), b.scores[metric]!.folds.map(\.bitPattern), "\(a.model) \(a.params) \(metric)")
            }
        }
        XCTAssertEqual(Set(one.candidates[0].scores.keys), [.f1Macro, .accuracy, .balancedAccuracy, .rocAUC, .logLoss])
        XCTAssertGreaterThan(one.best.scores[.f1Macro]!.mean, 0.7)
    }

    func testGridOrderFollowsScikitLearn() throws {
        let grid = ParameterGrid([(name: "weights", values: ["uniform", "distance"]), (name: "n_neighbors", values: ["5", "15"])])
        XCTAssertEqual(grid.all.map { $0.map(\.value) }, [["5", "uniform"], ["5", "distance"], ["15", "uniform"], ["15", "distance"]])
        var generator = SeededGenerator(seed: 1)
        let sampled = grid.sample(3, using: &generator)
        XCTAssertEqual(Set(sampled.map { $0.map(\.value) }).count, 3, "without replacement")
        var again = SeededGenerator(seed: 1)
        XCTAssertEqual(grid.sample(3, using: &again).map { $0.map(\.value) }, sampled.map { $0.map(\.value) })
    }

    func testSelectorsMeanTheDatasOwnColumns() throws {
        let yaml = """
            version: 1
            data: {source: data/penguins.csv, target: species, drop: [year]}
            preprocess:
              - impute: {columns: numeric}
              - impute: {columns: categorical, strategy: most_frequent}
              - one_hot: {columns: categorical}
              - scale: {columns: numeric}
            models: [{type: logistic_regression, grid: {C: [1, 10]}}, {type: gaussian_nb}]
            """
        let check = SpecLoader.load(text: yaml, file: "exp.yaml", baseDirectory: TestPaths.experiments.path)
        let experiment = try XCTUnwrap(check.experiment, "\(check.diagnostics)")
        let features = features(experiment, try XCTUnwrap(check.table))
        let plan = try experiment.searchPlan(task: .classification, columns: features.columns.map { ($0.name, $0.kind) }, threads: 1)
        guard case .scale(let columns, _) = plan.steps.last else { return XCTFail() }
        XCTAssertEqual(columns, .available(["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]), "one-hot outputs are not rescaled")
        XCTAssertEqual(plan.candidates.count, 3)
        XCTAssertEqual(plan.settings.scoring, .accuracy)
        XCTAssertEqual(plan.metrics, [.accuracy, .precisionMacro, .recallMacro, .f1Macro])
    }

    func testDescriptorsApplyDefaults() throws {
        XCTAssertEqual(try ModelFamily.logisticRegression.configuration(["C": .int(3)], task: .classification, seed: 0),
                       ModelConfig(LogisticRegressionConfig(c: 3, penalized: true, fitIntercept: true, maxIterations: 100, tolerance: 1e-4, balanced: false)))
        XCTAssertEqual(try ModelFamily.logisticRegression.configuration(["penalty": .null, "class_weight": .string("balanced")], task: .classification, seed: 0),
                       ModelConfig(LogisticRegressionConfig(penalized: false, balanced: true)))
        XCTAssertEqual(try ModelFamily.kNeighbors.configuration(["weights": .string("distance")], task: .regression, seed: 0),
                       ModelConfig(KNeighborsConfig(neighbors: 5, distanceWeighted: true, power: 2)))
    }
}

/// Every shipped example runs end to end through the learning core: split, cross-validated
/// search over its grid, refit of the winner, test metrics.
final class ExampleRunTests: XCTestCase {
    func testEveryExampleSearchesRefitsAndScores() throws {
        for spec in TestPaths.specs(in: TestPaths.experiments) {
            let check = SpecLoader.load(path: spec.path)
            let experiment = try XCTUnwrap(check.experiment, spec.lastPathComponent)
            let table = try XCTUnwrap(check.table), task = try XCTUnwrap(check.task)
            let features = table.dropping(columns: Set(experiment.data.drop.map(\.value) + [experiment.data.target.value]))
            let plan = try experiment.searchPlan(task: task, columns: features.columns.map { ($0.name, $0.kind) }, threads: 2)
            let target = try Target.encode(table[experiment.data.target.value]!, task: task)
            let split = try DataSplit.trainTest(target, testSize: plan.testSize, stratify: plan.stratifySplit, shuffle: plan.shuffleSplit, seed: experiment.seed)
            let train = features.taking(rows: split.train), trainTarget = target.taking(rows: split.train)
            let result = try ModelSearch.run(features: train, target: trainTarget, candidates: plan.candidates, settings: plan.settings)
            let fitted = try plan.candidates[result.bestIndex].pipeline.fit(train, trainTarget)
            let prediction = try fitted.predict(features.taking(rows: split.test))
            let score = try Scoring.score(plan.settings.scoring, truth: target.taking(rows: split.test), prediction: prediction)
            switch spec.lastPathComponent {
            case "penguins.yaml": XCTAssertGreaterThan(score, 0.9, "accuracy")
            case "cars.yaml": XCTAssertLessThan(score, 5, "rmse in miles per gallon")
            default: XCTAssertGreaterThan(score, 0.6, "f1_macro")
            }
            XCTAssertEqual(result.candidates.count, plan.candidates.count)
        }
    }
}
