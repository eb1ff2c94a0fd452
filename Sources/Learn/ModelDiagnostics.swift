import Tabular

/// What a fitted model does on held-out rows beyond its headline metrics: per-class scores,
/// the confusion matrix, ROC / precision-recall / calibration curves, residuals and
/// permutation importances. Model tests and `runner report` read it.
public struct ModelDiagnostics: Codable, Sendable, Equatable {
    public var task: LearningTask
    public var rows: Int
    public var classes: [String]?
    /// Classification: per class, in `classes` order.
    public var classScores: [ClassScores]?
    /// Classification: rows are true classes, columns predicted.
    public var confusionMatrix: [[Int]]?
    /// Classification with probabilities: the positive class for two classes, every class
    /// against the rest for more.
    public var curves: [ClassCurves]?
    /// Regression: each held-out row's prediction and true value.
    public var predicted: [Double]?
    public var actual: [Double]?
    /// The metric importances are measured with, its value on the unshuffled rows, and the
    /// repeats per column.
    public var importanceMetric: String
    public var importanceBaseline: Double
    public var importanceRepeats: Int
    public var importances: [FeatureImportance]

    public static func compute(model: FittedPipeline, features: Table, truth: Target, metric: Metric, repeats: Int, seed: UInt64, threads: Int) throws(LearnError) -> ModelDiagnostics {
        let prediction = try model.predict(features, threads: threads)
        let (baseline, importances) = try PermutationImportance.compute(model: model, features: features, truth: truth, metric: metric, repeats: repeats, seed: seed, threads: threads)
        var diagnostics = ModelDiagnostics(task: truth.task, rows: features.rowCount, importanceMetric: metric.rawValue, importanceBaseline: baseline,
                                           importanceRepeats: repeats, importances: importances)
        switch (truth, prediction) {
        case (.classes(let labels, let classes), .classes(let predicted, let probabilities)):
            diagnostics.classes = classes
            diagnostics.classScores = ClassScores.report(truth: labels, predicted: predicted, classes: classes)
            diagnostics.confusionMatrix = Scoring.confusionMatrix(truth: labels, predicted: predicted, classCount: classes.count)
            if let probabilities {
                let shown = classes.count == 2 ? [1] : Array(classes.indices)
                diagnostics.curves = shown.map { index in
                    ClassCurves.compute(label: classes[index], positive: labels.map { $0 == index }, scores: (0..<probabilities.rows).map { probabilities[$0, index] })
                }
            }
        case (.values(let values), .values(let predicted)):
            diagnostics.actual = values
            diagnostics.predicted = predicted
        default:
            throw LearnError.settings("the prediction does not match the target's task")
        }
        return diagnostics
    }
}
