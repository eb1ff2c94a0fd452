import Foundation
import Learn

/// Scores the refitted winner on the held-out test rows.
enum EvaluateStage: StageDefinition {
    struct Parameters: Codable, Sendable {
        var target: String
        var task: LearningTask
        var metrics: [Metric]
    }

    static let kind = StageKind.evaluate
    // 2: metrics that overflow are computed scaled or refused.
    static let version = 2
    static let output = "evaluation"
    static let form = Artifact.Form.evaluation

    static func compute(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String]) {
        let model = try inputs.model(), table = try inputs.table(), split = try inputs.split()
        let features = table.dropping(columns: [params.target]).taking(rows: split.test)
        let truth = try context.target(table, params.target, params.task).taking(rows: split.test)
        let prediction = try model.predict(features, threads: context.threads)
        var metrics: [String: Double] = [:]
        for metric in params.metrics { metrics[metric.rawValue] = try Scoring.score(metric, truth: truth, prediction: prediction) }
        var matrix: [[Int]]?
        if case .classes(let codes, let names) = truth, case .classes(let predicted, _) = prediction {
            matrix = Scoring.confusionMatrix(truth: codes, predicted: predicted, classCount: names.count)
        }
        return (.evaluation(TestEvaluation(rows: split.test.count, metrics: metrics, confusionMatrix: matrix, classes: model.classes)), [])
    }
}
