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
    /// Why importances were not computed, when they were not.
    public var importanceSkipped: String?

    /// Permutation importance costs columns × repeats predictions, each over every column:
    /// past this many input columns it is left out (and the reason recorded).
    public static let importanceColumnLimit = 256

    public static func compute(model: FittedPipeline, features: Table, truth: Target, metric: Metric, repeats: Int, seed: UInt64, threads: Int) throws(LearnError) -> ModelDiagnostics {
        let prediction = try model.predict(features, threads: threads)
        var diagnostics: ModelDiagnostics
        let columns = model.inputColumns.filter { features.index(of: $0) != nil }.count
        if columns <= importanceColumnLimit {
            let (baseline, importances) = try PermutationImportance.compute(model: model, features: features, truth: truth, metric: metric, repeats: repeats, seed: seed, threads: threads)
            diagnostics = ModelDiagnostics(task: truth.task, rows: features.rowCount, importanceMetric: metric.rawValue, importanceBaseline: baseline,
                                           importanceRepeats: repeats, importances: importances)
        } else {
            diagnostics = ModelDiagnostics(task: truth.task, rows: features.rowCount, importanceMetric: metric.rawValue,
                                           importanceBaseline: try Scoring.score(metric, truth: truth, prediction: prediction), importanceRepeats: repeats, importances: [],
                                           importanceSkipped: "\(columns) input columns: permutation importance (\(columns * repeats) predictions over every column) is computed up to \(importanceColumnLimit)")
        }
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
