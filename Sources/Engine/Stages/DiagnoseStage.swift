import Foundation
import Learn

/// What the refitted winner does on the held-out test rows beyond its metrics: per-class
/// scores, confusion matrix, curves, residuals and permutation importances (seeded). Model
/// tests and `runner report` read it.
enum DiagnoseStage: StageDefinition {
    struct Parameters: Codable, Sendable {
        var target: String
        var task: LearningTask
        /// Importances are measured with the experiment's scoring metric.
        var metric: Metric
        var repeats: Int
        var seed: UInt64
    }

    /// Shuffles per column for permutation importance (scikit-learn's default).
    static let repeats = 5

    static let kind = StageKind.diagnose
    static let version = 1
    static let output = "diagnostics"
    static let form = Artifact.Form.diagnostics

    static func compute(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String]) {
        let model = try inputs.model(), table = try inputs.table(), split = try inputs.split()
        let features = table.dropping(columns: [params.target]).taking(rows: split.test)
        let truth = try context.target(table, params.target, params.task).taking(rows: split.test)
        let diagnostics = try ModelDiagnostics.compute(model: model, features: features, truth: truth, metric: params.metric,
                                                       repeats: params.repeats, seed: params.seed, threads: context.threads)
        let top = diagnostics.importances.prefix(3).map { "\($0.column) \(Wording.number($0.mean))" }.joined(separator: ", ")
        return (.diagnostics(diagnostics), ["permutation importance (\(params.metric.rawValue), \(params.repeats) repeats): \(top)"])
    }
}
