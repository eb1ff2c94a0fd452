/// Scores a spec may ask for. Names follow scikit-learn's scorers, without the `neg_` prefix:
/// every metric is reported in its natural direction, and `greaterIsBetter` says which way wins.
public enum Metric: String, Sendable, Codable, CaseIterable {
    case accuracy
    case balancedAccuracy = "balanced_accuracy"
    case precision, recall, f1
    case precisionMacro = "precision_macro"
    case recallMacro = "recall_macro"
    case f1Macro = "f1_macro"
    case precisionWeighted = "precision_weighted"
    case recallWeighted = "recall_weighted"
    case f1Weighted = "f1_weighted"
    /// Binary ROC AUC, or the macro average of one-vs-rest AUCs for several classes.
    case rocAUC = "roc_auc"
    case logLoss = "log_loss"
    case rmse, mse, mae, r2, mape

    public var task: LearningTask {
        switch self {
        case .rmse, .mse, .mae, .r2, .mape: return .regression
        default: return .classification
        }
    }

    public var greaterIsBetter: Bool {
        switch self {
        case .logLoss, .rmse, .mse, .mae, .mape: return false
        default: return true
        }
    }

    /// Metrics defined only for two classes (the positive class is the second in sorted order).
    public var binaryOnly: Bool { self == .precision || self == .recall || self == .f1 }

    /// Metrics that need class probabilities.
    public var needsProbabilities: Bool { self == .rocAUC || self == .logLoss }

    public static func defaultScoring(for task: LearningTask) -> Metric { task == .classification ? .accuracy : .r2 }

    public static func defaults(for task: LearningTask) -> [Metric] {
        task == .classification ? [.accuracy, .precisionMacro, .recallMacro, .f1Macro] : [.rmse, .mae, .r2]
    }

    public static var names: [String] { allCases.map(\.rawValue) }
}
