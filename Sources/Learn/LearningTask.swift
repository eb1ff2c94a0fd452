/// What the experiment predicts.
public enum LearningTask: String, Sendable, Codable, CaseIterable {
    case classification
    case regression
}
