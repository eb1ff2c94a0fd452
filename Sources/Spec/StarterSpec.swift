import Foundation
import Learn
import Tabular

/// `runner init`: a commented starter spec written from the data, which validates and runs
/// as written: the task inferred from the target, preprocessing chosen from the column
/// types and missing values, two or three model families with small grids suited to the
/// row count, and the task's metrics.
public enum StarterSpec {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// `dataPath`: the data file as the spec should name it (relative to the spec's folder).
    public static func text(table: Table, dataPath: String, target: String, name: String, schemaPath: String? = nil, seed: UInt64 = 42) throws(Failure) -> String {
        guard let column = table[target] else {
            throw Failure(description: "'\(target)' is not a column of \(dataPath)\(Suggestion.hint(for: target, among: table.columnNames)) (columns: \(Wording.list(table.columnNames, conjunction: "and")))")
        }
        let labelled = (0..<table.rowCount).filter { !column.isMissing(at: $0) }
        guard labelled.count >= 10 else {
            throw Failure(description: "target '\(target)' has \(labelled.count) rows with a value; an experiment needs at least 10")
        }
        let (task, reason) = TaskInference.infer(from: column)
        let rows = labelled.count
        var lines: [String] = []
        if let schemaPath { lines.append("# yaml-language-server: $schema=\(schemaPath)") }
        lines.append("# Written by `runner init` from \(dataPath) (\(table.rowCount) rows, \(table.columnCount) columns). Edit freely; `runner validate` checks it.")
        lines.append("version: 1")
        lines.append("name: \(name)")
        lines.append("seed: \(seed)")
        lines.append("data:")
        lines.append("  source: \(yaml(dataPath))")
        lines.append("  target: \(yaml(target))")
        lines.append("  # task: \(task.rawValue) (inferred: \(reason))")

        // Columns that cannot help a model: all missing, or text with (nearly) a value per row.
        var dropped: [(String, String)] = []
        var numeric: [Column] = [], categorical: [Column] = []
        for feature in table.columns where feature.name != target {
            let present = table.rowCount - feature.missingCount
            if present == 0 {
                dropped.append((feature.name, "no values"))
                continue
            }
            if feature.kind == .categorical {
                let distinct = Set((0..<table.rowCount).compactMap { feature.text(at: $0) }).count
                if distinct > max(50, present / 2) {
                    dropped.append((feature.name, "\(distinct) distinct values in \(present) rows: an identifier or free text"))
                    continue
                }
                categorical.append(feature)
            } else {
                numeric.append(feature)
            }
        }
        if !dropped.isEmpty {
            lines.append("  drop:")
            for (name, why) in dropped { lines.append("    - \(yaml(name))  # \(why)") }
        }

        var smallestClass = rows
        if task == .classification {
            smallestClass = TaskInference.classCounts(of: column.taking(rows: labelled)).map(\.count).min() ?? rows
        }
        let classCount = task == .classification ? TaskInference.classCounts(of: column.taking(rows: labelled)).count : 0
        let stratify = task == .classification && smallestClass >= 2
        lines.append("split: {test_size: 0.2\(stratify ? ", stratify: true" : "")}")

        lines.append("preprocess:")
        var steps: [String] = []
        if numeric.contains(where: { $0.missingCount > 0 }) {
            steps.append("  - impute: {columns: numeric, strategy: median}  # missing values in \(listed(numeric.filter { $0.missingCount > 0 }))")
        }
        if categorical.contains(where: { $0.missingCount > 0 }) {
            steps.append("  - impute: {columns: categorical, strategy: most_frequent}  # missing values in \(listed(categorical.filter { $0.missingCount > 0 }))")
        }
        if !categorical.isEmpty {
            steps.append("  - one_hot: {columns: categorical, handle_unknown: ignore}  # \(listed(categorical))")
        }
        if !numeric.isEmpty {
            steps.append("  - scale: {columns: numeric, method: standard}  # for the linear model; trees ignore it")
        }
        if steps.isEmpty { lines.removeLast() } else { lines += steps }

        // Small grids, smaller for large data: cross-validation fits every candidate cv times.
        let large = rows > 20_000
        let trees = large ? 50 : 100
        lines.append("models:")
        if task == .classification {
            lines.append("  - name: logreg")
            lines.append("    type: logistic_regression")
            lines.append("    params: {max_iter: 1000}")
            lines.append("    grid: {C: [0.1, 1, 10]}")
        } else {
            lines.append("  - name: ridge")
            lines.append("    type: ridge")
            lines.append("    grid: {alpha: [0.1, 1, 10]}")
        }
        lines.append("  - name: forest")
        lines.append("    type: random_forest")
        lines.append("    params: {n_estimators: \(trees)\(large ? ", max_depth: 12" : "")}")
        if !large { lines.append("    grid: {max_depth: [null, 10]}") }
        if rows >= 1_000 {
            lines.append("  - name: boosting")
            lines.append("    type: hist_gradient_boosting")
            lines.append("    params: {max_iter: 200}")
            lines.append("    grid: {learning_rate: [0.05, 0.1]}")
        }
        let folds = max(2, min(large ? 3 : 5, smallestClass - (smallestClass + 4) / 5))
        let scoring = task == .classification ? "accuracy" : "r2"
        lines.append("search: {cv: \(folds), scoring: \(scoring)}")
        if task == .classification {
            lines.append("metrics: [accuracy, precision_macro, recall_macro, f1_macro\(classCount == 2 ? ", roc_auc" : "")]")
        } else {
            lines.append("metrics: [rmse, mae, r2]")
        }
        lines.append("package: {formats: [bundle]}")
        lines.append("# Model tests gate packaging (`runner test`, docs/spec.md); uncomment and set thresholds:")
        lines.append("# tests:")
        if task == .classification {
            lines.append("#   - metric: {accuracy: \">= 0.8\"}")
            lines.append("#   - per_class: {recall: \">= 0.5\"}")
        } else {
            lines.append("#   - metric: {r2: \">= 0.5\"}")
        }
        lines.append("#   - better_than: baseline")
        lines.append("#   - stability: {max_cv_std: 0.05}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// "'a', 'b' and 'c'", or the first five and how many more.
    private static func listed(_ columns: [Column]) -> String {
        columns.count <= 5 ? Wording.list(columns.map(\.name), conjunction: "and") : Wording.list(columns.prefix(5).map(\.name), conjunction: "and") + " and \(columns.count - 5) more"
    }

    /// A YAML scalar: plain when it reads back as the same string, else double-quoted.
    static func yaml(_ text: String) -> String {
        let plain = text.range(of: "^[A-Za-z_./][A-Za-z0-9_./-]*$", options: .regularExpression) != nil
        let reserved = ["null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"].contains(text.lowercased())
        if plain && !reserved { return text }
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default:
                if scalar.value < 0x20 { escaped += String(format: "\\x%02X", scalar.value) } else { escaped.unicodeScalars.append(scalar) }
            }
        }
        return escaped + "\""
    }
}
