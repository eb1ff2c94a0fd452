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

    /// Labels from probability rows: the most probable class, the first on ties (numpy's argmax).
    static func fromProbabilities(_ probabilities: Matrix) -> Prediction {
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
        return .classes(labels: labels, probabilities: probabilities)
    }
}
