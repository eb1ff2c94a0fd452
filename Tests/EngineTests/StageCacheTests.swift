import Foundation
import XCTest
@testable import Engine
import Learn

/// Which stages rerun when each kind of input changes, and that results never depend on
/// the cache or the thread count.
final class StageCacheTests: XCTestCase {
    private var fixture: EngineFixture!

    override func setUpWithError() throws {
        fixture = try EngineFixture()
    }

    override func tearDown() {
        fixture.remove()
    }

    func testColdRunComputesEverythingAndWarmRunNothing() throws {
        let cold = try fixture.run()
        XCTAssertEqual(cold.execution.outcomes.count, 2 + 3 * 3 + 6, "load, split, 3 candidates x 3 folds, select, refit, evaluate, diagnose, profile, package bundle")
        XCTAssertEqual(EngineFixture.computed(cold.execution).count, cold.execution.outcomes.count)
        let warm = try fixture.run()
        XCTAssertEqual(EngineFixture.computed(warm.execution), [])
        XCTAssertEqual(warm.lock, cold.lock)
        XCTAssertEqual(warm.results.candidates.map(\.metrics), cold.results.candidates.map(\.metrics))
        XCTAssertEqual(warm.results.best, cold.results.best)
    }

    func testChangingOneGridValueRerunsOnlyThatCandidate() throws {
        let first = try fixture.run()
        try fixture.write(spec: EngineFixture.baseSpec.replacingOccurrences(of: "C: [0.1, 1]", with: "C: [0.1, 3]"))
        let second = try fixture.run()
        let computed = Set(EngineFixture.computed(second.execution))
        let expected: Set<String> = ["fit logreg{C=3} fold 1/3", "fit logreg{C=3} fold 2/3", "fit logreg{C=3} fold 3/3", "select"]
        XCTAssertTrue(expected.isSubset(of: computed), "\(computed)")
        XCTAssertTrue(computed.subtracting(expected).isSubset(of: ["refit", "evaluate", "diagnose", "profile", "package bundle"]), "only the winner's refit, its scores, diagnostics, profile and package may rerun: \(computed)")
        if second.results.best == first.results.best || second.results.best.params == first.results.best.params {
            XCTAssertFalse(computed.contains("refit"), "the winner did not change, so its refit is cached")
        }
        XCTAssertFalse(computed.contains("load") || computed.contains("split"))
    }

    func testChangingALosingCandidateKeepsTheWinnersRefit() throws {
        let first = try fixture.run()
        let loser = first.results.candidates.first { $0.rank == 3 }!
        XCTAssertEqual(first.results.candidates.count, 3)
        // Make the worst candidate's model different without touching the others.
        var spec = EngineFixture.baseSpec
        if loser.model == "nb" {
            spec = spec.replacingOccurrences(of: "{name: nb, type: gaussian_nb}", with: "{name: nb, type: gaussian_nb, params: {var_smoothing: 1.0e-8}}")
        } else {
            let value = loser.params["C"]!
            spec = spec.replacingOccurrences(of: "C: [0.1, 1]", with: value == "0.1" ? "C: [0.01, 1]" : "C: [0.1, 0.01]")
        }
        try fixture.write(spec: spec)
        let second = try fixture.run()
        let computed = Set(EngineFixture.computed(second.execution))
        XCTAssertTrue(computed.contains("select"))
        XCTAssertEqual(second.results.best.model, first.results.best.model)
        XCTAssertFalse(computed.contains("refit"), "refit's key covers only the winner: \(computed)")
        XCTAssertFalse(computed.contains("evaluate"))
    }

    func testChangingTheSeedKeepsOnlyTheLoad() throws {
        _ = try fixture.run()
        try fixture.write(spec: EngineFixture.baseSpec.replacingOccurrences(of: "seed: 7", with: "seed: 8"))
        let second = try fixture.run()
        let cached = second.execution.outcomes.filter(\.cached).map(\.name)
        XCTAssertEqual(cached, ["load"])
    }

    func testChangingPreprocessingRerunsEveryFitButNotTheSplit() throws {
        _ = try fixture.run()
        try fixture.write(spec: EngineFixture.baseSpec.replacingOccurrences(of: "- scale: {columns: numeric}", with: "- scale: {columns: numeric, method: minmax}"))
        let second = try fixture.run()
        XCTAssertEqual(second.execution.outcomes.filter(\.cached).map(\.name), ["load", "split"])
    }

    func testChangingMetricsRerunsFitsButNotTheData() throws {
        _ = try fixture.run()
        try fixture.write(spec: EngineFixture.baseSpec.replacingOccurrences(of: "metrics: [accuracy, f1_macro]", with: "metrics: [accuracy, balanced_accuracy]"))
        let second = try fixture.run()
        // The model does not depend on the metrics: with the same winner, its refit (and the
        // training profile and test-split diagnostics, measured with the scoring metric) are reused.
        XCTAssertEqual(second.execution.outcomes.filter(\.cached).map(\.name), ["load", "split", "refit", "diagnose", "profile"])
        XCTAssertNotNil(second.results.best.test.metrics["balanced_accuracy"])
    }

    func testEditingTheDataRerunsEverything() throws {
        _ = try fixture.run()
        var text = try String(contentsOfFile: fixture.dataPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "39.1", with: "39.2")
        try text.write(toFile: fixture.dataPath, atomically: true, encoding: .utf8)
        let second = try fixture.run()
        // Everything downstream of the data reruns. Select alone may stay cached: when every
        // fold score comes out the same, its inputs have the same digests (early cutoff).
        XCTAssertTrue(Set(second.execution.outcomes.filter(\.cached).map(\.name)).isSubset(of: ["select"]))
        XCTAssertFalse(second.execution.outcomes.first { $0.name == "refit" }!.cached)
    }

    func testRewritingTheDataWithTheSameBytesRerunsNothing() throws {
        let first = try fixture.run()
        // Same bytes, new inode and time: the digest is recomputed and matches.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.dataPath))
        try FileManager.default.removeItem(atPath: fixture.dataPath)
        try bytes.write(to: URL(fileURLWithPath: fixture.dataPath))
        let second = try fixture.run()
        XCTAssertEqual(EngineFixture.computed(second.execution), [])
        XCTAssertEqual(second.lock, first.lock)
    }

    func testRenamingTheExperimentRepackagesOnly() throws {
        _ = try fixture.run()
        try fixture.write(spec: EngineFixture.baseSpec.replacingOccurrences(of: "name: penguins-small", with: "name: renamed"))
        let second = try fixture.run()
        XCTAssertEqual(EngineFixture.computed(second.execution), ["package bundle"], "the name is in the bundle's manifest, and in no other stage's input")
    }

    func testResultsDoNotDependOnJobs() throws {
        let one = try fixture.run(jobs: 1, store: fixture.folder.appendingPathComponent("store-1").path)
        let four = try fixture.run(jobs: 4, store: fixture.folder.appendingPathComponent("store-4").path)
        XCTAssertEqual(one.lock, four.lock)
        XCTAssertEqual(one.results.candidates.map(\.metrics), four.results.candidates.map(\.metrics))
    }

    func testEngineMatchesTheLearningCoreCalledDirectly() throws {
        let run = try fixture.run()
        let prepared = try fixture.prepare()
        let graph = prepared.graph
        let table = prepared.check.table!.dropping(columns: ["year"])
        let features = table.dropping(columns: ["species"])
        let target = try Target.encode(table["species"]!, task: .classification)
        let split = try DataSplit.trainTest(target, testSize: .fraction(0.25), stratify: true, shuffle: true, seed: 7)
        let direct = try ModelSearch.run(
            features: features.taking(rows: split.train), target: target.taking(rows: split.train), candidates: graph.candidates,
            settings: SearchSettings(folds: 3, stratified: true, shuffle: true, seed: 7, scoring: .accuracy, metrics: [.accuracy, .f1Macro], threads: 2))
        for (engine, core) in zip(run.results.candidates, direct.candidates) {
            XCTAssertEqual(engine.metrics["accuracy"]!.folds.map(\.bitPattern), core.scores[.accuracy]!.folds.map(\.bitPattern))
            XCTAssertEqual(engine.metrics["f1_macro"]!.folds.map(\.bitPattern), core.scores[.f1Macro]!.folds.map(\.bitPattern))
        }
        XCTAssertEqual(run.results.best.index, direct.bestIndex)
    }
}
