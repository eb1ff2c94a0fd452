/// One class's precision, recall, F1 and support, as scikit-learn's `classification_report`
/// gives them (`zero_division=0`).
public struct ClassScores: Codable, Sendable, Equatable {
    public var label: String
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// True rows of this class.
    public var support: Int

    public init(label: String, precision: Double, recall: Double, f1: Double, support: Int) {
        self.label = label
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
    }

    /// Every class in `classes` order, from class indices.
    public static func report(truth: [Int], predicted: [Int], classes: [String]) -> [ClassScores] {
        let matrix = Scoring.confusionMatrix(truth: truth, predicted: predicted, classCount: classes.count)
        return classes.indices.map { index in
            let support = matrix[index].reduce(0, +)
            let predictedCount = matrix.reduce(0) { $0 + $1[index] }
            let correct = matrix[index][index]
            let precision = predictedCount == 0 ? 0 : Double(correct) / Double(predictedCount)
            let recall = support == 0 ? 0 : Double(correct) / Double(support)
            let f1 = support + predictedCount == 0 ? 0 : 2 * Double(correct) / Double(support + predictedCount)
            return ClassScores(label: classes[index], precision: precision, recall: recall, f1: f1, support: support)
        }
    }
}
