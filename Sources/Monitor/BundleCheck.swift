import Foundation
import Learn
import Packaging
import Tabular

/// `runner monitor`'s check: new rows (a data file, or the server's prediction log) against
/// the profile a bundle carries, and with labels the model's metrics against its test split's.
public enum BundleCheck {
    public enum Rows: Sendable {
        /// A CSV or JSON Lines file of inputs (labels too when it has the target column).
        case file(String)
        /// A folder of prediction logs, narrowed to a window.
        case logs(String, window: MonitorWindow?)
    }

    /// The report, and the rows that have a label (the inputs with the target column), which
    /// retraining learns from.
    public static func run(_ bundle: ModelBundle, bundlePath: String, digest: String, rows: Rows, labelsPath: String?,
                           threads: Int = 1) throws(MonitorError) -> (report: DriftReport, labelled: Table?) {
        guard let profile = bundle.profile else { throw .noProfile(bundle: bundlePath) }
        let manifest = bundle.manifest
        let classification = manifest.task == .classification
        var inputs: Table
        var predictions: Sample?
        var labels: Sample?
        var notes: [String] = []
        switch rows {
        case .file(let path):
            var kinds: [String: ColumnKind] = [:]
            for field in manifest.inputSchema.fields where field.kind == .categorical { kinds[field.name] = .categorical }
            if classification { kinds[manifest.target] = .categorical }
            do {
                // Numeric columns are inferred, not forced: a stray word becomes a counted
                // type error instead of stopping the check at its first occurrence.
                let source = FileSource(path: path)
                inputs = try source.read(options: ReadOptions(columnKinds: present(kinds, in: try source.columnNames())))
            } catch {
                throw .input(error.description)
            }
            if labelsPath == nil, let target = inputs[manifest.target] {
                labels = Sample(target)
            }
            if let labelsPath {
                let truth = try readLabels(labelsPath, target: manifest.target, classification: classification)
                guard truth.table.rowCount == inputs.rowCount else {
                    throw .labels("\(labelsPath) has \(truth.table.rowCount) rows and \(path) has \(inputs.rowCount): labels join data row by row, so both need the same rows in the same order")
                }
                labels = truth.labels
            }
        case .logs(let directory, let window):
            let logged = try LoggedPredictions.read(directory: directory, schema: manifest.inputSchema, classification: classification,
                                                    bundleDigest: digest, window: window)
            inputs = logged.inputs
            predictions = logged.outputs
            if logged.otherModels > 0 { notes.append("\(logged.otherModels) logged rows of other bundles left out") }
            if logged.unreadable > 0 { notes.append("\(logged.unreadable) damaged log lines skipped") }
            if let labelsPath {
                labels = try joinLabels(labelsPath, target: manifest.target, classification: classification, logged: logged)
            }
        }
        if predictions == nil {
            let (predicted, note) = predict(bundle, inputs, threads: threads)
            predictions = predicted
            if let note { notes.append(note) }
        }
        var report = DriftAnalysis.analyze(profile, DriftAnalysis.Current(table: inputs, predictions: predictions, labels: labels),
                                           model: manifest.provenance.experiment, bundleDigest: digest)
        report.notes = notes + report.notes
        if let labels, let predictions {
            report.performance = performance(manifest: manifest, predictions: predictions, labels: labels, settings: profile.settings)
            report.status = max(report.status, report.performance.map(\.status).max() ?? .ok)
        }
        return (report, labels.flatMap { labelledRows(inputs, $0, target: manifest.target) })
    }

    /// The rows with a label, with the labels as the target column.
    private static func labelledRows(_ inputs: Table, _ labels: Sample, target: String) -> Table? {
        let column: Column
        var keep: [Int] = []
        switch labels {
        case .numbers(let values):
            keep = values.indices.filter { !values[$0].isNaN }
            column = Column(name: target, numeric: keep.map { values[$0] })
        case .texts(let values):
            keep = values.indices.filter { values[$0] != nil }
            column = Column(name: target, strings: keep.map { values[$0] })
        }
        guard !keep.isEmpty else { return nil }
        let features = inputs.dropping(columns: [target]).taking(rows: keep)
        return try? Table(columns: features.columns + [column])
    }

    /// A labels file: the target column, and the request id and row when it has them.
    private static func readLabels(_ path: String, target: String, classification: Bool) throws(MonitorError) -> (table: Table, labels: Sample) {
        let table: Table
        do {
            let source = FileSource(path: path)
            let kinds: [String: ColumnKind] = classification ? [target: .categorical, "request_id": .categorical] : ["request_id": .categorical]
            table = try source.read(options: ReadOptions(columnKinds: present(kinds, in: try source.columnNames())))
        } catch {
            throw .labels(error.description)
        }
        guard let column = table[target] else {
            throw .labels("\(path) has no column '\(target)' (the model's target); its columns are \(table.columnNames.joined(separator: ", "))")
        }
        return (table, Sample(column))
    }

    /// The types for the columns the file has (a type for an absent column is an error).
    private static func present(_ kinds: [String: ColumnKind], in names: [String]) -> [String: ColumnKind] {
        kinds.filter { names.contains($0.key) }
    }

    /// Labels for logged rows, joined by request id (and row within the request when the
    /// labels file has a `row` column).
    private static func joinLabels(_ path: String, target: String, classification: Bool, logged: LoggedPredictions) throws(MonitorError) -> Sample {
        let (table, truth) = try readLabels(path, target: target, classification: classification)
        guard let ids = table["request_id"] else {
            throw .labels("\(path) has no 'request_id' column: labels for logged predictions are joined by the request id the server logged (and 'row' within a request)")
        }
        let rows = table["row"]?.numericValues
        var index: [String: Int] = [:]
        for position in 0..<table.rowCount {
            guard let id = ids.text(at: position) else { continue }
            let key = rows.map { "\(id)\u{0}\(Int($0[position].isNaN ? 0 : $0[position]))" } ?? id
            index[key] = position
        }
        var joined = 0
        let positions: [Int?] = logged.requestIDs.indices.map { row in
            let key = rows == nil ? logged.requestIDs[row] : "\(logged.requestIDs[row])\u{0}\(logged.rowNumbers[row])"
            let position = index[key]
            if position != nil { joined += 1 }
            return position
        }
        guard joined > 0 else {
            throw .labels("no row of \(path) joins a logged prediction (by request_id\(rows == nil ? "" : " and row")); check that the labels come from the same requests")
        }
        switch truth {
        case .numbers(let values): return .numbers(positions.map { $0.map { values[$0] } ?? .nan })
        case .texts(let values): return .texts(positions.map { $0.flatMap { values[$0] } })
        }
    }

    /// The model's outputs on the rows, as class names or values; rows the model cannot take
    /// (a category it refuses) are left out and counted.
    public static func predict(_ bundle: ModelBundle, _ table: Table, threads: Int) -> (Sample?, String?) {
        let schema = bundle.manifest.inputSchema
        var columns: [Column] = []
        for field in schema.fields {
            guard let column = table[field.name] else { return (nil, "no predictions: the data lacks the model's column '\(field.name)'") }
            let sample = Sample(column)
            switch field.kind {
            case .numeric, .boolean: columns.append(Column(name: field.name, numeric: sample.numbers().values, kind: field.kind))
            case .categorical: columns.append(Column(name: field.name, strings: sample.texts()))
            }
        }
        guard let modelInput = try? Table(columns: columns) else { return (nil, "no predictions: the rows do not form a table") }
        let classes = bundle.manifest.classes ?? []
        func sample(_ prediction: Prediction) -> Sample {
            switch prediction {
            case .classes(let labels, _): return .texts(labels.map { classes.indices.contains($0) ? classes[$0] : nil })
            case .values(let values): return .numbers(values)
            }
        }
        if let prediction = try? BundlePrediction.predict(bundle, modelInput, threads: threads) { return (sample(prediction), nil) }
        // Some row is refused: halve the batch until the refused rows stand alone, so a few bad
        // rows cost a few dozen batch predictions instead of one per row.
        var texts = [String?](repeating: nil, count: modelInput.rowCount), numbers = [Double](repeating: .nan, count: modelInput.rowCount)
        var refused = 0
        var firstError: String?
        func predict(_ rows: Range<Int>) {
            do {
                let prediction = try BundlePrediction.predict(bundle, modelInput.taking(rows: Array(rows)), threads: threads)
                switch prediction {
                case .classes(let labels, _):
                    for (offset, label) in labels.enumerated() { texts[rows.lowerBound + offset] = classes.indices.contains(label) ? classes[label] : nil }
                case .values(let values):
                    for (offset, value) in values.enumerated() { numbers[rows.lowerBound + offset] = value }
                }
            } catch {
                guard rows.count > 1 else {
                    refused += 1
                    if firstError == nil { firstError = error.description }
                    return
                }
                let middle = rows.lowerBound + rows.count / 2
                predict(rows.lowerBound..<middle)
                predict(middle..<rows.upperBound)
            }
        }
        predict(0..<modelInput.rowCount)
        let note = refused > 0 ? "the model refused \(refused) of \(modelInput.rowCount) rows (first: \(firstError ?? "")); they have no prediction" : nil
        return (bundle.manifest.task == .classification ? .texts(texts) : .numbers(numbers), note)
    }

    /// Metrics on the rows that have both a label and a prediction, against the test split's.
    static func performance(manifest: BundleManifest, predictions: Sample, labels: Sample, settings: DriftSettings) -> [MetricChange] {
        let reference = manifest.metrics["test"] ?? [:]
        let metrics: [Metric] = manifest.task == .classification ? [.accuracy, .precisionMacro, .recallMacro, .f1Macro] : [.rmse, .mae, .r2]
        return metrics.compactMap { metric in
            guard let value = score(metric, predictions: predictions, labels: labels, classes: manifest.classes) else { return nil }
            guard let before = reference[metric.rawValue], before.isFinite else {
                return MetricChange(metric: metric.rawValue, reference: nil, current: value, worseBy: nil, status: .ok)
            }
            let worse = (metric.greaterIsBetter ? before - value : value - before) / max(abs(before), 1e-12)
            let status: DriftReport.Status = worse > settings.performanceAlert ? .alert : worse > settings.performanceWarning ? .warning : .ok
            return MetricChange(metric: metric.rawValue, reference: before, current: value, worseBy: worse, status: status)
        }
    }

    /// A metric over the rows that have both a label and a prediction (nil when none do, or
    /// the metric needs probabilities). Labels the model never predicts count as misses.
    public static func score(_ metric: Metric, predictions: Sample, labels: Sample, classes: [String]?) -> Double? {
        if metric.task == .classification {
            let predicted = predictions.texts(), truth = labels.texts()
            let rows = predicted.indices.filter { predicted[$0] != nil && truth[$0] != nil }
            guard !rows.isEmpty, !metric.needsProbabilities else { return nil }
            var names = classes ?? []
            for row in rows where !names.contains(truth[row]!) { names.append(truth[row]!) }
            for row in rows where !names.contains(predicted[row]!) { names.append(predicted[row]!) }
            let position = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            let target = Target.classes(labels: rows.map { position[truth[$0]!]! }, classes: names)
            let prediction = Prediction.classes(labels: rows.map { position[predicted[$0]!]! }, probabilities: nil)
            return try? Scoring.score(metric, truth: target, prediction: prediction)
        }
        let predicted = predictions.numbers().values, truth = labels.numbers().values
        let rows = predicted.indices.filter { !predicted[$0].isNaN && !truth[$0].isNaN }
        guard !rows.isEmpty else { return nil }
        return try? Scoring.score(metric, truth: .values(rows.map { truth[$0] }), prediction: .values(rows.map { predicted[$0] }))
    }
}
