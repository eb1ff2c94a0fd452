import Foundation
import Learn

/// Fits the winning candidate on all training rows.
enum RefitStage: StageDefinition {
    struct Parameters: Codable, Sendable {
        var target: String
        var task: LearningTask
        var pipeline: PipelineConfig
    }

    static let kind = StageKind.refit
    // 2: fitted trees and matrices are stored as packed arrays.
    // 3: model configurations carry no thread count (it is a fit-time setting).
    // 4: ridge and OLS with more features than rows solve the kernel system (minimum-norm OLS).
    static let version = 4
    static let output = "model"
    static let form = Artifact.Form.model

    static func compute(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String]) {
        let table = try inputs.table(), split = try inputs.split()
        let features = table.dropping(columns: [params.target]).taking(rows: split.train)
        let target = try context.target(table, params.target, params.task).taking(rows: split.train)
        let fitted = try params.pipeline.fit(features, target, context: FitContext(threads: context.threads))
        return (.model(fitted), ["refitted on \(split.train.count) rows"])
    }
}
