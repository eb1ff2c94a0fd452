import Tabular

/// The target column, encoded for learning: class indices into sorted labels, or values.
public enum Target: Sendable, Equatable, Codable {
    case classes(labels: [Int], classes: [String])
    case values([Double])

    public var count: Int {
        switch self {
        case .classes(let labels, _): return labels.count
        case .values(let values): return values.count
        }
    }

    /// The values of a regression target; a classification target is refused naming `model`.
    func regressionValues(for model: String) throws(LearnError) -> [Double] {
        guard case .values(let values) = self else { throw LearnError.settings("\(model) does not do classification") }
        return values
    }

    public var task: LearningTask {
        if case .classes = self { return .classification }
        return .regression
    }

    /// Encodes `column` for `task`. Rows with a missing target must be removed first.
    /// Classes are sorted as scikit-learn sorts them: numbers ascending, text by code point.
    public static func encode(_ column: Column, task: LearningTask) throws(LearnError) -> Target {
        if column.missingCount > 0 {
            throw LearnError.data("target '\(column.name)' has \(column.missingCount) missing values; rows without a target must be left out before fitting")
        }
        switch task {
        case .regression:
            guard let values = column.numericValues, column.kind == .numeric else {
                throw LearnError.data("target '\(column.name)' holds text, so it cannot be a regression target; set data.task: classification")
            }
            if let bad = values.first(where: { !$0.isFinite }) {
                throw LearnError.data("target '\(column.name)' holds \(bad); regression targets must be finite numbers")
            }
            if let first = values.first, values.allSatisfy({ $0 == first }) {
                throw LearnError.data("target '\(column.name)' is constant (every row is \(formatNumber(first))); there is nothing to learn")
            }
            return .values(values)
        case .classification:
            let classes = PreprocessingConfig.sortedCategories(of: column)
            let lookup = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
            let labels = (0..<column.count).map { lookup[CategoryKey.text(of: column, at: $0)]! }
            guard classes.count >= 2 else {
                throw LearnError.data("target '\(column.name)' has a single class '\(classes.first ?? "")'; classification needs at least two")
            }
            return .classes(labels: labels, classes: classes)
        }
    }

    public func taking(rows: [Int]) -> Target {
        switch self {
        case .classes(let labels, let classes): return .classes(labels: rows.map { labels[$0] }, classes: classes)
        case .values(let values): return .values(rows.map { values[$0] })
        }
    }
}
