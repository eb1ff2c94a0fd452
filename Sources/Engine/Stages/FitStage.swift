import Foundation
import Learn

/// Fits one candidate on one fold's training rows and scores its validation rows.
enum FitStage: StageDefinition {
    struct Parameters: Codable, Sendable {
        var target: String
        var task: LearningTask
        var pipeline: PipelineConfig
        var fold: Int
        var metrics: [Metric]
    }

    static let kind = StageKind.fit
    // 2: model configurations carry no thread count (it is a fit-time setting).
    // 3: ridge and OLS with more features than rows solve the kernel system (minimum-norm OLS);
    //    metrics that overflow are computed scaled or refused.
    static let version = 3
    static let output = "scores"
    static let form = Artifact.Form.fold

    static func compute(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String]) {
        let table = try inputs.table(), split = try inputs.split()
        guard split.folds.indices.contains(params.fold) else { throw EngineError.internalError("fold \(params.fold) is not in the split") }
        let data = try context.foldData(target: params.target, task: params.task, fold: params.fold, table, split)
        let (values, seconds) = try ModelSearch.scoreFold(params.pipeline, train: data.train, validation: data.validation, metrics: params.metrics, fit: FitContext(threads: context.threads))
        var metrics: [String: Double] = [:]
        for (metric, value) in zip(params.metrics, values) { metrics[metric.rawValue] = value }
        return (.fold(FoldOutcome(metrics: metrics)), [String(format: "fitted in %.3f s", seconds)])
    }
}
