import Learn
import Foundation
import Tabular

/// Checks that need the data: the file reads, named columns exist, the task fits the target,
/// classes are large enough to split, and preprocessing leaves every model numeric, complete input.
struct DataChecks {
    let experiment: Experiment
    var reader: NodeReader
    /// Whether decoding already failed; then steps may be missing, and following
    /// columns through them would only repeat those errors in other words.
    let skipPreprocessingFlow: Bool

    struct Outcome {
        var table: Table?
        var task: LearningTask?
    }

    mutating func run() -> Outcome {
        let data = experiment.data
        let path = data.resolvedPath
        let isServer: Bool
        if case .postgres? = data.database?.engine { isServer = true } else { isServer = false }
        guard isServer || FileManager.default.fileExists(atPath: path) else {
            reader.error(data.source.location, "data file '\(data.source.value)' not found (looked for \(path))")
            return Outcome()
        }
        let source = data.dataSource
        var options = data.readOptions
        do {
            // A source that is not a regular file (a device, a pipe) could be endless. (A
            // query's identity is its rows: the read below establishes it.)
            if !source.identityReadsContent { _ = try source.identity() }
        } catch {
            if let database = data.database {
                reader.error(database.location ?? data.source.location, "data.source: \(Self.shown(data, error)): \(error.message)")
            } else {
                reader.error(data.source.location, "data source '\(data.source.value)': \(error.message)")
            }
            return Outcome()
        }
        do {
            let names = try source.columnNames()
            guard checkNames(names) else { return Outcome() }
            options.columnKinds = options.columnKinds.filter { names.contains($0.key) }
            let table = try source.read(options: options)
            return Outcome(table: table, task: checkTable(table))
        } catch {
            if let database = data.database {
                // The database's message, at the query that caused it.
                reader.error(database.location ?? data.source.location, "data.source: \(Self.shown(data, error)): \(error.message)")
            } else {
                reader.log.append(Diagnostic(file: error.path, location: error.line.map { SourceLocation(line: $0, column: error.column ?? 1) }, message: error.message))
            }
            return Outcome()
        }
    }

    /// The database as messages name it: the SQLite file as the spec writes it, the PostgreSQL
    /// server as postgres://USER@HOST:PORT/DATABASE (never a password).
    private static func shown(_ data: DataSpec, _ error: DataError) -> String {
        if case .postgres? = data.database?.engine { return error.path }
        return data.source.value
    }

    /// Every column the spec names is in the header; true when the target is there.
    private mutating func checkNames(_ names: [String]) -> Bool {
        let data = experiment.data
        func check(_ name: Located<String>, _ role: String) -> Bool {
            guard names.contains(name.value) else {
                reader.error(name.location, "\(role) '\(name.value)' is not a column of \(data.source.value)\(Suggestion.hint(for: name.value, among: names))")
                return false
            }
            return true
        }
        let targetFound = check(data.target, "target")
        for column in data.drop {
            if check(column, "dropped column"), column.value == data.target.value {
                reader.error(column.location, "'\(column.value)' is the target; it cannot be dropped")
            }
        }
        for entry in data.types { _ = check(entry.column, "typed column") }
        for entry in experiment.monitor.columns where check(entry.column, "monitored column") {
            if entry.column.value == data.target.value || data.drop.contains(where: { $0.value == entry.column.value }) {
                reader.error(entry.column.location, "'\(entry.column.value)' is not a model input (it is the target or dropped), so it has no drift test")
            }
        }
        let dropped = Set(data.drop.map(\.value))
        for step in experiment.preprocess {
            guard case .names(let columns) = step.value.columns else { continue }
            for column in columns where check(column, "column") {
                if column.value == data.target.value {
                    reader.error(column.location, "'\(column.value)' is the target; preprocessing applies to features only")
                } else if dropped.contains(column.value) {
                    reader.error(column.location, "'\(column.value)' is dropped in data.drop, so \(step.value.kindName) cannot use it")
                }
            }
        }
        return targetFound
    }

    private mutating func checkTable(_ table: Table) -> LearningTask? {
        let data = experiment.data
        guard let target = table[data.target.value] else { return nil }
        let missingTargets = target.missingCount
        if missingTargets == table.rowCount {
            reader.error(data.target.location, "target '\(target.name)' has no values")
            return nil
        }
        if missingTargets > 0 {
            reader.warning(data.target.location, "\(missingTargets) row\(missingTargets == 1 ? "" : "s") of \(table.rowCount) have no value in target '\(target.name)' and will be left out")
        }
        let inferred = TaskInference.infer(from: target)
        let task: LearningTask
        let because: String
        if let explicit = data.task {
            task = explicit
            because = "the spec sets task: \(explicit.rawValue)"
            if explicit == .regression, target.kind != .numeric {
                reader.error(data.target.location, "target '\(target.name)' holds \(target.kind == .boolean ? "true/false values" : "text"), so the task cannot be regression")
                return nil
            }
        } else {
            task = inferred.task
            because = "inferred: \(inferred.reason); set data.task to override"
        }
        var classCount: Int?
        let counts = task == .classification ? TaskInference.classCounts(of: target) : []
        if task == .classification, counts.count < 2 {
            reader.error(data.target.location, "target '\(target.name)' has a single class '\(counts.first?.label ?? "")'; classification needs at least two")
            classCount = counts.count
        } else if checkSplitSizes(rows: table.rowCount - missingTargets, task: task), task == .classification {
            // Class checks assume the split sizes work; otherwise they would repeat the problem.
            checkClasses(counts, of: target)
            classCount = counts.count
        } else if task == .classification {
            classCount = counts.count
        }
        TaskChecks.check(experiment, task: task, because: because, classCount: classCount, reader: &reader)
        TestChecks.check(experiment, table: table, task: task, classes: counts.map(\.label).sorted(), reader: &reader)
        if !skipPreprocessingFlow { checkPreprocessing(table, task: task) }
        return task
    }

    /// The test split, the folds and early stopping's validation split each leave rows to
    /// train on: checked here, so a spec that validates never fails (or plans millions of
    /// fold stages) for want of rows.
    private mutating func checkSplitSizes(rows: Int, task: LearningTask) -> Bool {
        let split = experiment.split, search = experiment.search
        let location = split.testSizeLocation ?? experiment.data.target.location
        let testRows = split.testRows(outOf: rows)
        guard testRows >= 1, testRows < rows else {
            let advice = rows < 2 ? "the data needs at least 2 rows with a target" : "change split.test_size (a fraction or a row count from 1 to \(rows - 1))"
            reader.error(location, "split.test_size = \(split.testSizeText) holds out \(testRows) of the \(rows) rows with a target, leaving \(rows - testRows) for training; \(advice)")
            return false
        }
        let trainingRows = rows - testRows
        guard search.cv <= trainingRows else {
            reader.error(search.cvLocation ?? location, "search.cv = \(search.cv) folds need at least \(search.cv) training rows, and \(rows) rows leave \(trainingRows) after the test split; lower search.cv (at most \(trainingRows)) or split.test_size")
            return false
        }
        // R² compares errors with the spread of the true values: undefined on one row
        // (scikit-learn gives nan); runner would report 0, which says nothing.
        let metrics = experiment.metrics.isEmpty ? Metric.defaults(for: task) : experiment.metrics.map(\.value)
        if task == .regression {
            if testRows < 2, metrics.contains(.r2) {
                reader.warning(location, "the test split holds \(testRows) row; r2 is not defined on fewer than 2 rows, so the test r2 says nothing; raise split.test_size")
            }
            let smallestFold = trainingRows / search.cv
            if smallestFold < 2, metrics.contains(.r2) || (experiment.search.scoring?.value ?? Metric.defaultScoring(for: task)) == .r2 {
                reader.warning(search.cvLocation ?? location, "with search.cv = \(search.cv), a fold validates on \(smallestFold) row; r2 is not defined on fewer than 2 rows, so its fold scores say nothing; lower search.cv")
            }
        }
        // Early stopping holds out validation_fraction of each fold's training rows.
        let foldTrainingRows = trainingRows - (trainingRows + search.cv - 1) / search.cv
        var fine = true
        for model in experiment.models where model.type.value == ModelFamily.histGradientBoosting.name {
            let stopping = (model.params["early_stopping"].map { [$0.value] } ?? []) + (model.grid.first { $0.name.value == "early_stopping" }?.values.map(\.value) ?? [])
            guard stopping.contains(.bool(true)) || (foldTrainingRows > HistGradientBoostingConfig.autoEarlyStoppingRows && !stopping.contains(.bool(false))) else { continue }
            let fractions = (model.params["validation_fraction"].map { [$0] } ?? []) + (model.grid.first { $0.name.value == "validation_fraction" }?.values ?? [])
            for fraction in fractions.isEmpty ? [Located(ParamValue.double(0.1), at: model.type.location)] : fractions {
                guard let share = fraction.value.number, share > 0, share < 1 else { continue }
                let validationRows = DataSplit.TestSize.fraction(share).rows(outOf: foldTrainingRows)
                if validationRows >= foldTrainingRows {
                    reader.error(fraction.location, "model '\(model.name.value)': early stopping holds out validation_fraction = \(share) of the \(foldTrainingRows) training rows of a fold (\(validationRows) rows), leaving none to fit; lower validation_fraction or set early_stopping: false")
                    fine = false
                }
            }
        }
        return fine
    }

    private mutating func checkClasses(_ counts: [(label: String, count: Int)], of target: Column) {
        let location = experiment.data.target.location
        let rows = target.count - target.missingCount
        let testFraction = Double(experiment.split.testRows(outOf: rows)) / Double(max(1, rows))
        let folds = experiment.search.cv
        for (label, count) in counts {
            if count < 2 {
                reader.error(location, "class '\(label)' of target '\(target.name)' has only 1 row; a stratified split needs at least 2 per class (remove or merge the class)")
                continue
            }
            let training = Int((Double(count) * (1 - testFraction)).rounded(.down))
            if experiment.search.stratified != false, training < folds {
                reader.error(location, "class '\(label)' of target '\(target.name)' has \(count) rows, about \(training) after the test split: fewer than search.cv = \(folds) folds; lower cv or merge rare classes")
            }
        }
    }

    /// Follows column types and missing values through the steps, then checks what models receive.
    private mutating func checkPreprocessing(_ table: Table, task: LearningTask) {
        struct Feature {
            var name: String
            var kind: ColumnKind
            var missing: Int
        }
        let dropped = Set(experiment.data.drop.map(\.value) + [experiment.data.target.value])
        var features = table.columns.filter { !dropped.contains($0.name) }.map { Feature(name: $0.name, kind: $0.kind, missing: $0.missingCount) }
        var encodedCount = 0

        func selected(_ selector: ColumnSelectorSpec) -> [Int] {
            switch selector {
            case .all: return Array(features.indices)
            case .numeric: return features.indices.filter { features[$0].kind != .categorical }
            case .categorical: return features.indices.filter { features[$0].kind == .categorical }
            case .names(let names): return names.compactMap { name in features.firstIndex { $0.name == name.value } }
            }
        }

        for step in experiment.preprocess {
            let indices = selected(step.value.columns)
            // Named columns that are missing were already reported by checkNames.
            if indices.isEmpty, !step.value.columns.isExplicit {
                reader.warning(step.location, "\(step.value.kindName) selects no columns here")
            }
            switch step.value {
            case .impute(_, let strategy, _):
                if strategy == .mean || strategy == .median {
                    for index in indices where features[index].kind == .categorical {
                        reader.error(step.location, "\(strategy.rawValue) imputation needs numbers, and column '\(features[index].name)' is categorical; use strategy: most_frequent or constant for it")
                    }
                }
                for index in indices { features[index].missing = 0 }
            case .dropMissing(let axis, _, let threshold):
                if axis == .rows {
                    for index in indices { features[index].missing = 0 }
                } else {
                    let rows = Double(table.rowCount)
                    let removed = Set(indices.filter { Double(features[$0].missing) / rows > threshold })
                    features = features.indices.filter { !removed.contains($0) }.map { features[$0] }
                }
            case .oneHot:
                let removed = Set(indices)
                encodedCount += removed.count
                features = features.indices.filter { !removed.contains($0) }.map { features[$0] }
            case .ordinal(_, let categories, _, _):
                for index in indices {
                    if let order = categories[features[index].name], let column = table[features[index].name] {
                        let seen = Set((0..<column.count).compactMap { column.text(at: $0) })
                        let unlisted = seen.subtracting(order).sorted()
                        if !unlisted.isEmpty {
                            reader.warning(step.location, "ordinal order for '\(features[index].name)' does not list \(listing(Array(unlisted.prefix(5)), conjunction: "and")), which the data holds")
                        }
                    }
                    features[index].kind = .numeric
                }
            case .scale:
                for index in indices where features[index].kind == .categorical {
                    reader.error(step.location, "scale needs numbers, and column '\(features[index].name)' is categorical; encode it first with one_hot or ordinal")
                }
            }
        }

        if features.isEmpty, encodedCount == 0 {
            reader.error(experiment.data.source.location, "no feature columns are left after data.drop and preprocessing")
        }
        let preprocessLocation = experiment.preprocess.first?.location
        for feature in features where feature.kind == .categorical {
            reader.error(preprocessLocation ?? experiment.data.target.location,
                         "column '\(feature.name)' is categorical and no step encodes it; add `- one_hot: {columns: [\(feature.name)]}` (or ordinal) to preprocess, or list it in data.drop")
        }
        let incomplete = features.filter { $0.missing > 0 }
        guard let example = incomplete.first else { return }
        for model in experiment.models {
            guard let type = ModelFamily.named(model.type.value), !type.handlesMissingValues else { continue }
            let others = incomplete.count > 1 ? " (as do \(incomplete.count - 1) more column\(incomplete.count > 2 ? "s" : ""))" : ""
            reader.error(model.type.location,
                         "model '\(model.name.value)' (\(type.name)) cannot take missing values, and column '\(example.name)' still has \(example.missing) after preprocessing\(others); add `- impute: {columns: \(example.kind == .categorical ? "categorical, strategy: most_frequent" : "numeric, strategy: mean")}` (hist_gradient_boosting handles missing values itself)")
        }
    }
}
