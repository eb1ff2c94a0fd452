import Learn
import Tabular

/// Decides classification or regression from the target column when the spec does not say:
/// text or boolean targets are classification; numeric targets are classification when every
/// value is an integer and there are at most `maxIntegerClasses` distinct values, else regression.
public enum TaskInference {
    public static let maxIntegerClasses = 20

    public static func infer(from target: Column) -> (task: LearningTask, reason: String) {
        let name = target.name
        switch target.storage {
        case .categorical:
            return (.classification, "target '\(name)' holds text")
        case .numeric(let values):
            if target.kind == .boolean { return (.classification, "target '\(name)' holds true/false") }
            var distinct = Set<Double>()
            for value in values where !value.isNaN {
                if value != value.rounded() { return (.regression, "target '\(name)' holds non-integer numbers") }
                distinct.insert(value)
                if distinct.count > maxIntegerClasses {
                    return (.regression, "target '\(name)' holds more than \(maxIntegerClasses) distinct values")
                }
            }
            return (.classification, "target '\(name)' holds \(distinct.count) distinct integers")
        }
    }

    /// Rows per class label (as text), for classification targets; missing values are not counted.
    public static func classCounts(of target: Column) -> [(label: String, count: Int)] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for row in 0..<target.count {
            guard let label = target.text(at: row) else { continue }
            if counts[label] == nil { order.append(label) }
            counts[label, default: 0] += 1
        }
        return order.map { ($0, counts[$0]!) }
    }
}
