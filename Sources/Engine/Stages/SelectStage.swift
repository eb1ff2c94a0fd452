import Foundation
import Learn

/// Aggregates every candidate's fold scores and picks the winner.
enum SelectStage: StageDefinition {
    struct Parameters: Codable, Sendable {
        struct Candidate: Codable, Sendable {
            var model: String
            var type: String
            var params: [String: String]
        }

        var candidates: [Candidate]
        var scoring: Metric
        var metrics: [Metric]
        var folds: Int
    }

    static let kind = StageKind.select
    static let version = 1
    static let output = "leaderboard"
    static let form = Artifact.Form.leaderboard

    static func compute(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String]) {
        var entries: [Leaderboard.Entry] = []
        for (index, candidate) in params.candidates.enumerated() {
            var perMetric: [String: [Double]] = [:]
            for fold in 0..<params.folds {
                guard let outcome = inputs[StageRole.scores(candidate: index, fold: fold)]?.fold else {
                    throw EngineError.internalError("scores of candidate \(index + 1), fold \(fold + 1) missing")
                }
                for metric in params.metrics { perMetric[metric.rawValue, default: []].append(outcome.metrics[metric.rawValue] ?? .nan) }
            }
            entries.append(Leaderboard.Entry(model: candidate.model, type: candidate.type, params: candidate.params, scores: perMetric.mapValues(FoldScores.init)))
        }
        let best = ModelSearch.bestIndex(means: entries.map { $0.scores[params.scoring.rawValue]?.mean ?? .nan }, params.scoring)
        let leaderboard = Leaderboard(scoring: params.scoring.rawValue, metrics: params.metrics.map(\.rawValue), candidates: entries, best: best)
        let winner = params.candidates[best]
        return (.leaderboard(leaderboard), ["best: \(CandidateLabel.text(model: winner.model, params: winner.params))"])
    }
}
