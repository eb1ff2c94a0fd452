import Learn
/// Checks that every metric, model and option fits the experiment's task.
/// Runs once the task is known: set in the spec, or inferred from the data.
enum TaskChecks {
    static let criteria: [LearningTask: [String]] = [
        .classification: ["gini", "entropy", "log_loss"],
        .regression: ["squared_error"],
    ]

    /// `because` explains where the task came from, e.g. "target 'species' holds text".
    static func check(_ experiment: Experiment, task: LearningTask, because: String, classCount: Int?, reader: inout NodeReader) {
        for metric in experiment.metrics where metric.value.task != task {
            reader.error(metric.location, "metric '\(metric.value.rawValue)' is for \(metric.value.task.rawValue), but this is a \(task.rawValue) experiment (\(because))")
        }
        if let scoring = experiment.search.scoring, scoring.value.task != task {
            reader.error(scoring.location, "search.scoring '\(scoring.value.rawValue)' is for \(scoring.value.task.rawValue), but this is a \(task.rawValue) experiment (\(because))")
        }
        if let classCount, classCount > 2 {
            let binary = experiment.metrics + (experiment.search.scoring.map { [$0] } ?? [])
            for metric in binary where metric.value.binaryOnly {
                reader.error(metric.location, "metric '\(metric.value.rawValue)' is defined for two classes, and the target has \(classCount); use '\(metric.value.rawValue)_macro' or '\(metric.value.rawValue)_weighted'")
            }
        }
        if task == .regression, experiment.split.stratify == true {
            reader.error(experiment.split.stratifyLocation, "split.stratify needs classes, but this is a regression experiment (\(because))")
        }
        if task == .regression, experiment.search.stratified == true {
            reader.error(experiment.search.stratifiedLocation, "search.stratified needs classes, but this is a regression experiment (\(because))")
        }
        for model in experiment.models {
            guard let type = ModelFamily.named(model.type.value) else { continue }
            guard type.tasks.contains(task) else {
                let alternatives = ModelFamily.all.filter { $0.tasks.contains(task) }.map(\.name)
                reader.error(model.type.location, "model '\(model.name.value)': \(type.name) does not do \(task.rawValue) (\(because)); for \(task.rawValue) use \(listing(alternatives))")
                continue
            }
            let criterionValues = (model.params["criterion"].map { [$0] } ?? []) + (model.grid.first { $0.name.value == "criterion" }?.values ?? [])
            let allowed = criteria[task] ?? []
            for value in criterionValues {
                if case .string(let word) = value.value, !allowed.contains(word) {
                    reader.error(value.location, "criterion '\(word)' is not for \(task.rawValue); use \(listing(allowed))")
                }
            }
        }
    }
}
