import Foundation
import Tabular

/// Metric values, computed as scikit-learn computes them (`zero_division=0`; the positive class
/// of binary metrics is the second class in sorted order; ROC AUC for several classes is the
/// unweighted mean of one-vs-rest AUCs).
public enum Scoring {
    public static func score(_ metric: Metric, truth: Target, prediction: Prediction) throws(LearnError) -> Double {
        switch (truth, prediction) {
        case (.classes(let labels, let classes), .classes(let predicted, let probabilities)):
            guard metric.task == .classification else {
                throw LearnError.settings("metric '\(metric.rawValue)' is for regression, but this is a classification experiment")
            }
            return try classification(metric, labels, predicted, probabilities, classCount: classes.count)
        case (.values(let values), .values(let predicted)):
            guard metric.task == .regression else {
                throw LearnError.settings("metric '\(metric.rawValue)' is for classification, but this is a regression experiment")
            }
            return try regression(metric, values, predicted)
        default:
            throw LearnError.settings("the prediction does not match the target's task")
        }
    }

    /// Rows: true class, columns: predicted class.
    public static func confusionMatrix(truth: [Int], predicted: [Int], classCount: Int) -> [[Int]] {
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (actual, guess) in zip(truth, predicted) { matrix[actual][guess] += 1 }
        return matrix
    }

    private static func classification(_ metric: Metric, _ truth: [Int], _ predicted: [Int], _ probabilities: Matrix?, classCount: Int) throws(LearnError) -> Double {
        let n = Double(truth.count)
        guard !truth.isEmpty else { throw LearnError.settings("cannot score '\(metric.rawValue)' on no rows") }
        let confusion = confusionMatrix(truth: truth, predicted: predicted, classCount: classCount)
        let support = confusion.map { $0.reduce(0, +) }
        let predictedCount = (0..<classCount).map { column in confusion.reduce(0) { $0 + $1[column] } }
        let correct = (0..<classCount).map { confusion[$0][$0] }
        // Labels present in the truth or the prediction, as scikit-learn's unique_labels.
        let present = (0..<classCount).filter { support[$0] > 0 || predictedCount[$0] > 0 }
        func precision(_ c: Int) -> Double { predictedCount[c] == 0 ? 0 : Double(correct[c]) / Double(predictedCount[c]) }
        func recall(_ c: Int) -> Double { support[c] == 0 ? 0 : Double(correct[c]) / Double(support[c]) }
        func f1(_ c: Int) -> Double {
            let denominator = support[c] + predictedCount[c]
            return denominator == 0 ? 0 : 2 * Double(correct[c]) / Double(denominator)
        }
        func macro(_ value: (Int) -> Double) -> Double { present.map(value).reduce(0, +) / Double(present.count) }
        func weighted(_ value: (Int) -> Double) -> Double {
            let total = present.reduce(0) { $0 + support[$1] }
            return total == 0 ? 0 : present.reduce(0.0) { $0 + value($1) * Double(support[$1]) } / Double(total)
        }
        func binary(_ value: (Int) -> Double) throws(LearnError) -> Double {
            guard classCount == 2 else {
                throw LearnError.settings("metric '\(metric.rawValue)' is defined for two classes, and the target has \(classCount); use '\(metric.rawValue)_macro' or '\(metric.rawValue)_weighted'")
            }
            return value(1)
        }
        switch metric {
        case .accuracy: return Double(correct.reduce(0, +)) / n
        case .balancedAccuracy:
            let observed = (0..<classCount).filter { support[$0] > 0 }
            return observed.map(recall).reduce(0, +) / Double(observed.count)
        case .precision: return try binary(precision)
        case .recall: return try binary(recall)
        case .f1: return try binary(f1)
        case .precisionMacro: return macro(precision)
        case .recallMacro: return macro(recall)
        case .f1Macro: return macro(f1)
        case .precisionWeighted: return weighted(precision)
        case .recallWeighted: return weighted(recall)
        case .f1Weighted: return weighted(f1)
        case .rocAUC:
            guard let probabilities else { throw LearnError.settings("roc_auc needs class probabilities, which this model does not give") }
            if classCount == 2 { return try rocAUC(positive: truth.map { $0 == 1 }, scores: column(probabilities, 1)) }
            var total = 0.0
            for c in 0..<classCount {
                guard support[c] > 0 else {
                    throw LearnError.settings("roc_auc needs every class in the scored rows, and class \(c + 1) of \(classCount) has none here; lower search.cv or use another metric")
                }
                total += try rocAUC(positive: truth.map { $0 == c }, scores: column(probabilities, c))
            }
            return total / Double(classCount)
        case .logLoss:
            guard let probabilities else { throw LearnError.settings("log_loss needs class probabilities, which this model does not give") }
            let epsilon = Double.ulpOfOne
            var total = 0.0
            for (row, label) in truth.enumerated() {
                total -= log(min(max(probabilities[row, label], epsilon), 1 - epsilon))
            }
            return total / n
        default:
            throw LearnError.settings("metric '\(metric.rawValue)' is for regression, but this is a classification experiment")
        }
    }

    private static func column(_ matrix: Matrix, _ index: Int) -> [Double] {
        (0..<matrix.rows).map { matrix[$0, index] }
    }

    /// Area under the ROC curve by the rank statistic (ties share their average rank), which
    /// equals the trapezoidal area scikit-learn computes.
    static func rocAUC(positive: [Bool], scores: [Double]) throws(LearnError) -> Double {
        let positives = positive.filter { $0 }.count, negatives = positive.count - positives
        guard positives > 0, negatives > 0 else {
            throw LearnError.settings("roc_auc is undefined when the scored rows hold a single class; lower search.cv or use another metric")
        }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let averageRank = Double(start + end) / 2 + 1
            for position in start...end where positive[order[position]] { rankSum += averageRank }
            start = end + 1
        }
        let p = Double(positives)
        return (rankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }

    private static func regression(_ metric: Metric, _ truth: [Double], _ predicted: [Double]) throws(LearnError) -> Double {
        guard !truth.isEmpty else { throw LearnError.settings("cannot score '\(metric.rawValue)' on no rows") }
        let n = Double(truth.count)
        if let bad = predicted.first(where: { !$0.isFinite }) {
            throw LearnError.settings("the model predicted \(bad); check the features for extreme values")
        }
        // The plain formulas first (scikit-learn's arithmetic, bit for bit); a sum or a square
        // that overflows is redone scaled, and a metric whose true value is beyond double
        // range is refused by name instead of printed as inf or nan.
        func overflow(_ errors: [Double]) -> LearnError {
            let largest = errors.reduce(0) { Swift.max($0, abs($1)) }
            return LearnError.data("metric '\(metric.rawValue)' is beyond double range: prediction errors reach \(largest); the features or the target hold values near the limits of double precision; scale or clip them")
        }
        let errors = zip(truth, predicted).map { $0 - $1 }
        switch metric {
        case .mse, .rmse:
            let mse = errors.reduce(0.0) { $0 + $1 * $1 } / n
            if mse.isFinite { return metric == .mse ? mse : mse.squareRoot() }
            if metric == .rmse, let root = Moments.scaledRootOfSquares(errors, dividedBy: n), root.isFinite { return root }
            throw overflow(errors)
        case .mae:
            let mae = errors.reduce(0.0) { $0 + abs($1) } / n
            if mae.isFinite { return mae }
            let scaled = errors.reduce(0.0) { $0 + abs($1) / n }
            if scaled.isFinite { return scaled }
            throw overflow(errors)
        case .r2:
            let mean = truth.reduce(0, +) / n
            let residual = errors.reduce(0.0) { $0 + $1 * $1 }
            let total = truth.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
            if residual.isFinite, total.isFinite {
                if total == 0 { return residual == 0 ? 1 : 0 }
                return 1 - residual / total
            }
            let deviations = truth.map { $0 - (mean.isFinite ? mean : truth.reduce(0) { $0 + $1 / n }) }
            if let residualRoot = Moments.scaledRootOfSquares(errors, dividedBy: n), let totalRoot = Moments.scaledRootOfSquares(deviations, dividedBy: n), totalRoot > 0 {
                let ratio = residualRoot / totalRoot
                let r2 = 1 - ratio * ratio
                if r2.isFinite { return r2 }
            }
            throw overflow(errors)
        case .mape:
            let mape = zip(truth, errors).reduce(0.0) { $0 + abs($1.1) / max(abs($1.0), Double.ulpOfOne) } / n
            if mape.isFinite { return mape }
            throw overflow(errors)
        default:
            throw LearnError.settings("metric '\(metric.rawValue)' is for classification, but this is a regression experiment")
        }
    }
}
