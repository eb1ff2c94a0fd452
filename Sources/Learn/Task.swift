/// What the experiment predicts.
public enum Task: String, Sendable, Codable, CaseIterable {
    case classification
    case regression
}
