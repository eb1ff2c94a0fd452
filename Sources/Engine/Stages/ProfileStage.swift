import Foundation
import Learn
import Monitor
import Packaging

/// Profiles the training rows for drift monitoring: every input column, the refitted
/// model's predictions on them and the target (`Profiler.reference`), with the spec's
/// `monitor:` settings. The bundle carries the result as `profile.json`.
enum ProfileStage: StageDefinition {
    struct Parameters: Codable, Sendable {
        var target: String
        var task: LearningTask
        var settings: DriftSettings
    }

    static let kind = StageKind.profile
    static let version = 1
    static let output = "profile"
    static let form = Artifact.Form.profile

    static func compute(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String]) {
        let model = try inputs.model(), table = try inputs.table(), split = try inputs.split()
        let features = table.dropping(columns: [params.target]).taking(rows: split.train)
        guard let target = table[params.target]?.taking(rows: split.train) else { throw EngineError.internalError("the target column '\(params.target)' is not in the data") }
        let prediction = try model.predict(features, threads: context.threads)
        let schema = InputSchema(training: features, columns: model.inputColumns)
        let profile = try Profiler.reference(training: features, schema: schema, prediction: prediction, classes: model.classes,
                                             target: target, task: params.task, settings: params.settings)
        return (.profile(profile), ["\(profile.columns.count) columns over \(profile.rows) training rows"])
    }
}
