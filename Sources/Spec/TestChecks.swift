import Foundation
import Learn
import Tabular

/// Checks of the spec's `tests:` that need the data: metrics fit the task, named classes and
/// columns exist, example and extra data files have every model input and the target.
enum TestChecks {
    static func check(_ experiment: Experiment, table: Table, task: LearningTask, classes: [String], reader: inout NodeReader) {
        let data = experiment.data
        let dropped = Set(data.drop.map(\.value))
        let inputs = table.columnNames.filter { $0 != data.target.value && !dropped.contains($0) }
        let reported = Set((experiment.metrics.isEmpty ? Metric.defaults(for: task) : experiment.metrics.map(\.value))
            + [experiment.search.scoring?.value ?? Metric.defaultScoring(for: task)])
        for test in experiment.tests {
            let kind = test.check.kind
            func checkMetric(_ metric: Metric) {
                let location = test.metricLocations[metric.rawValue] ?? test.location
                if metric.task != task {
                    reader.error(location, "tests: metric '\(metric.rawValue)' is for \(metric.task.rawValue), but this is a \(task.rawValue) experiment; use \(Wording.list(Metric.allCases.filter { $0.task == task }.map(\.rawValue)))")
                } else if metric.binaryOnly, classes.count > 2 {
                    reader.error(location, "tests: metric '\(metric.rawValue)' is defined for two classes, and the target has \(classes.count); use '\(metric.rawValue)_macro' or '\(metric.rawValue)_weighted'")
                }
            }
            switch test.check {
            case .metric(let requirements):
                for requirement in requirements { if let metric = Metric(rawValue: requirement.metric) { checkMetric(metric) } }
            case .perClass(let label, _):
                guard task == .classification else {
                    reader.error(test.location, "tests: per_class needs classes, but this is a \(task.rawValue) experiment")
                    break
                }
                if let label, !classes.contains(label) {
                    reader.error(test.classLocation, "tests: class '\(label)' is not a class of target '\(data.target.value)' (it has \(Wording.list(classes, conjunction: "and")))\(Suggestion.hint(for: label, among: classes))")
                }
            case .betterThanBaseline(let metric, _):
                if let metric { checkMetric(metric) }
            case .noRegression(let metric, _):
                if let metric {
                    checkMetric(metric)
                    if metric.task == task, !reported.contains(metric) {
                        reader.error(test.metricLocations[metric.rawValue] ?? test.location, "tests: no_regression compares '\(metric.rawValue)' with the lock, which records only the metrics the run computes; add it to metrics (computed: \(Wording.list(reported.map(\.rawValue).sorted(), conjunction: "and")))")
                    }
                }
            case .stability(let metric, _):
                if let metric {
                    checkMetric(metric)
                    if metric.task == task, !reported.contains(metric) {
                        reader.error(test.metricLocations[metric.rawValue] ?? test.location, "tests: stability reads the cross-validation scores of '\(metric.rawValue)', which the search does not compute; add it to metrics (computed: \(Wording.list(reported.map(\.rawValue).sorted(), conjunction: "and")))")
                    }
                }
            case .invariance(let column, _, _):
                if !inputs.contains(column) {
                    let why = column == data.target.value ? "it is the target" : dropped.contains(column) ? "it is dropped in data.drop" : "it is not a column of \(data.source.value)"
                    reader.error(test.columnLocation, "tests: invariance column '\(column)' is not a model input (\(why))\(table[column] == nil ? Suggestion.hint(for: column, among: inputs) : "")")
                }
            case .examples, .onnxAgrees:
                break
            }
            if let file = test.examplesFile, case .examples(let written, _) = test.check { checkFile(file, written: written, experiment, inputs: inputs, what: "examples file", reader: &reader) }
            if let file = test.data { checkFile(file, written: test.dataWritten ?? file.value, experiment, inputs: inputs, what: "\(kind) data", reader: &reader) }
        }
    }

    /// The file exists, reads, and has every model input and the target.
    private static func checkFile(_ file: Located<String>, written: String, _ experiment: Experiment, inputs: [String], what: String, reader: inout NodeReader) {
        guard FileManager.default.fileExists(atPath: file.value) else {
            reader.error(file.location, "tests: \(what) '\(written)' not found (looked for \(file.value))")
            return
        }
        let names: [String]
        do {
            names = try experiment.data.companionSource(path: file.value).columnNames()
        } catch {
            reader.error(file.location, "tests: \(what) '\(written)': \(error.message)")
            return
        }
        let target = experiment.data.target.value
        let missing = (inputs + [target]).filter { !names.contains($0) }
        guard missing.isEmpty else {
            let list = Wording.list(missing, conjunction: "and")
            reader.error(file.location, "tests: \(what) '\(written)' has no column \(list); it needs every model input and the target '\(target)' (the outputs it must get)")
            return
        }
    }
}
