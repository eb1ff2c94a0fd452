/// What a fitted model says about a batch of rows.
public enum Prediction: Sendable, Equatable {
    /// Class indices (into the target's sorted classes) and, when the model gives them,
    /// probabilities with one column per class.
    case classes(labels: [Int], probabilities: Matrix?)
    case values([Double])

    public var count: Int {
        switch self {
        case .classes(let labels, _): return labels.count
        case .values(let values): return values.count
        }
    }

    /// The first row whose value or probabilities are not finite numbers, if any.
    public var firstNonFiniteRow: Int? {
        switch self {
        case .values(let values):
            return values.firstIndex { !$0.isFinite }
        case .classes(_, let probabilities?):
            guard let index = probabilities.values.firstIndex(where: { !$0.isFinite }) else { return nil }
            return index / max(1, probabilities.columns)
        case .classes(_, nil):
            return nil
        }
    }

    /// Labels from probability rows: the most probable class, the first on ties (numpy's argmax).
    static func fromProbabilities(_ probabilities: Matrix) -> Prediction {
        .classes(labels: argmax(probabilities), probabilities: probabilities)
    }

    /// Two classes from one logit per row: class 1 when the logit is positive, probability sigmoid.
    static func fromLogits(_ logits: [Double]) -> Prediction {
        var probabilities = [Double](repeating: 0, count: logits.count * 2)
        for (row, logit) in logits.enumerated() {
            let positive = Logistic.sigmoid(logit)
            probabilities[row * 2] = 1 - positive
            probabilities[row * 2 + 1] = positive
        }
        return .classes(labels: logits.map { $0 > 0 ? 1 : 0 }, probabilities: Matrix(rows: logits.count, columns: 2, values: probabilities))
    }

    /// Classes from raw scores per class: labels by the largest score, probabilities by softmax.
    static func fromScores(_ scores: Matrix) -> Prediction {
        var probabilities = scores
        Logistic.softmaxRows(&probabilities)
        return .classes(labels: argmax(scores), probabilities: probabilities)
    }

    /// Per row, the column of the largest value, the first on ties (numpy's argmax).
    private static func argmax(_ probabilities: Matrix) -> [Int] {
        var labels = [Int](repeating: 0, count: probabilities.rows)
        probabilities.values.withUnsafeBufferPointer { values in
            for row in 0..<probabilities.rows {
                var best = 0
                var bestValue = values[row * probabilities.columns]
                for column in 1..<max(1, probabilities.columns) where values[row * probabilities.columns + column] > bestValue {
                    best = column
                    bestValue = values[row * probabilities.columns + column]
                }
                labels[row] = best
            }
        }
        return labels
    }
}
