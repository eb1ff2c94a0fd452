/// The dummy model a trained one must beat: scikit-learn's `DummyClassifier()` (predicts the
/// most frequent training class, probabilities the training class shares) and
/// `DummyRegressor()` (predicts the training mean).
public enum Baseline {
    /// The dummy's prediction for `rows` rows, and its name for messages.
    public static func prediction(training: Target, rows: Int) -> (Prediction, String) {
        switch training {
        case .classes(let labels, let classes):
            var counts = [Int](repeating: 0, count: classes.count)
            for label in labels { counts[label] += 1 }
            // The first most frequent class on ties, as numpy's argmax.
            var best = 0
            for index in counts.indices where counts[index] > counts[best] { best = index }
            let total = Double(max(1, labels.count))
            let shares = counts.map { Double($0) / total }
            var values = [Double](repeating: 0, count: rows * classes.count)
            for row in 0..<rows { for index in classes.indices { values[row * classes.count + index] = shares[index] } }
            return (.classes(labels: [Int](repeating: best, count: rows), probabilities: Matrix(rows: rows, columns: classes.count, values: values)),
                    classes.isEmpty ? "most frequent class" : "most frequent class '\(classes[best])'")
        case .values(let values):
            let mean = values.reduce(0, +) / Double(max(1, values.count))
            return (.values([Double](repeating: mean, count: rows)), "training mean \(Wording.number(mean))")
        }
    }
}
