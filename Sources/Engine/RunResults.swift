import Foundation
import Learn
import Spec

/// `results.json`: everything a run found, for people and programs.
public struct RunResults: Codable, Sendable, Equatable {
    public struct Scores: Codable, Sendable, Equatable {
        public var mean: Double
        public var std: Double
        public var folds: [Double]
    }

    public struct Candidate: Codable, Sendable, Equatable {
        public var rank: Int
        public var model: String
        public var type: String
        public var params: [String: String]
        public var metrics: [String: Scores]
        /// Wall seconds of each fold's fit.
        public var fitSeconds: [Double]
    }

    public struct Best: Codable, Sendable, Equatable {
        public var index: Int
        public var model: String
        public var type: String
        public var params: [String: String]
        public var cv: [String: Double]
        public var test: TestEvaluation
    }

    public struct StageEntry: Codable, Sendable, Equatable {
        public var name: String
        public var kind: StageKind
        public var key: String
        public var output: String
        public var cached: Bool
        public var seconds: Double
    }

    public var runnerVersion: String
    public var experiment: String
    public var task: LearningTask
    public var runID: String
    public var started: String
    public var seconds: Double
    public var spec: FileDigest
    public var data: FileDigest
    public var scoring: String
    public var metrics: [String]
    public var candidates: [Candidate]
    /// The grid's CV scores per parameter value (nil in results written before them).
    public var parameterScores: [ParameterScores]?
    public var best: Best
    /// Artifact name → blob digest: dataset, split, leaderboard, model, evaluation.
    public var artifacts: [String: String]
    public var stages: [StageEntry]
    /// The spec's model tests, judged; nil when the spec has none.
    public var tests: [ModelTestResult]?
    /// true when a test failed and the model was packaged anyway (`--allow-failed-tests`).
    public var failedTestsAllowed: Bool?
    /// Stages that did not run: packaging of a model that failed its tests, or what
    /// `runner test` leaves out.
    public var withheld: [String]?

    /// nil without tests; false when any failed.
    public var testsPassed: Bool? { tests.map { $0.allSatisfy { $0.passed == true } } }

    public struct FileDigest: Codable, Sendable, Equatable {
        public var path: String
        public var digest: String
        public var bytes: Int
    }

    public var cachedStages: Int { stages.filter(\.cached).count }

    init(graph: ExperimentGraph, execution: Execution, runID: String, started: Date, seconds: Double, spec: FileDigest, requirePassingTests: Bool = true) {
        let leaderboard = execution.leaderboard
        var fitSeconds: [String: Double] = [:]
        for outcome in execution.outcomes where outcome.kind == .fit { fitSeconds[outcome.name] = outcome.seconds }
        let means = leaderboard.candidates.map { $0.scores[leaderboard.scoring]?.mean ?? .nan }
        let order = ModelSearch.ranking(means: means, Metric(rawValue: leaderboard.scoring) ?? .accuracy)
        var ranks = [Int](repeating: 0, count: means.count)
        for (position, index) in order.enumerated() { ranks[index] = position + 1 }
        let fitNames = graph.stages.filter { $0.kind == .fit }.map(\.name)
        candidates = leaderboard.candidates.enumerated().map { index, entry in
            let names = fitNames[(index * graph.folds)..<((index + 1) * graph.folds)]
            return Candidate(
                rank: ranks[index], model: entry.model, type: entry.type, params: entry.params,
                metrics: entry.scores.mapValues { Scores(mean: $0.mean, std: $0.std, folds: $0.folds) },
                fitSeconds: names.map { fitSeconds[$0] ?? 0 })
        }
        parameterScores = ParameterScores.of(candidates, scoring: leaderboard.scoring)
        let winner = leaderboard.candidates[leaderboard.best]
        best = Best(index: leaderboard.best, model: winner.model, type: winner.type, params: winner.params,
                    cv: winner.scores.mapValues(\.mean), test: execution.evaluation)
        runnerVersion = RunnerVersion.current
        experiment = graph.experimentName
        task = graph.task
        self.runID = runID
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        self.started = formatter.string(from: started)
        self.seconds = seconds
        self.spec = spec
        data = FileDigest(path: graph.dataSource.description, digest: graph.source.digest, bytes: graph.source.size)
        scoring = leaderboard.scoring
        metrics = leaderboard.metrics
        var artifacts: [String: String] = [:]
        for outcome in execution.outcomes where outcome.kind != .fit { artifacts[outcome.artifact] = outcome.output }
        self.artifacts = artifacts
        tests = graph.tests.isEmpty ? nil : execution.tests
        withheld = execution.withheld.isEmpty ? nil : execution.withheld
        if !requirePassingTests, execution.tests.contains(where: { $0.passed == false }), execution.outcomes.contains(where: { $0.kind == .package }) { failedTestsAllowed = true }
        stages = execution.outcomes.map { StageEntry(name: $0.name, kind: $0.kind, key: $0.key, output: $0.output, cached: $0.cached, seconds: $0.seconds) }
    }
}
