import Learn
import Spec

/// The one-paragraph report `runner validate` prints for a valid spec.
struct ValidationSummary {
    let experiment: Experiment
    let task: LearningTask?
    let rows: Int?

    func text(for path: String) -> String {
        let candidates = experiment.models.reduce(0) { total, model in
            if case .random(let count) = experiment.search.strategy { return total + min(count, model.gridSize) }
            return total + model.gridSize
        }
        var lines = ["\(path): valid"]
        lines.append("  experiment \(experiment.name), seed \(experiment.seed)")
        let rowText = rows.map { ", \($0) rows" } ?? ""
        lines.append("  data \(experiment.data.source.value)\(rowText), target \(experiment.data.target.value), task \(task?.rawValue ?? "not yet known (data not read)")")
        lines.append("  \(experiment.preprocess.count) preprocessing step\(experiment.preprocess.count == 1 ? "" : "s"), \(experiment.models.count) model\(experiment.models.count == 1 ? "" : "s"), \(candidates) candidate\(candidates == 1 ? "" : "s") x \(experiment.search.cv) folds")
        return lines.joined(separator: "\n")
    }
}
