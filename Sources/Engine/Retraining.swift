import Foundation
import Learn
import Monitor
import Packaging
import Spec
import Tabular

/// `runner monitor --retrain`: learn again from the original data plus the labelled new
/// rows, then let the new model (challenger) and the deployed one (champion) predict rows
/// neither was trained on; the challenger is promoted only when it scores better, and the
/// decision is recorded in the run index either way.
public enum Retraining {
    /// The share of labelled new rows held out for the comparison.
    public static let holdoutShare = 0.3
    /// Fewer labelled rows than this cannot both train and judge.
    public static let minimumRows = 10

    public struct Outcome: Codable, Sendable {
        public var derivedSpec: String
        public var data: String
        public var runID: String
        public var challengerBundle: String
        public var newRows: Int
        public var holdoutRows: Int
        public var widened: [String]
        public var comparison: PromotionRecord
    }

    public static func run(specPath: String, storePath: String, labelled: Table, champion: ModelBundle, championDigest: String, folder: String,
                           options: ExecutionOptions, report: @escaping @Sendable (RunEvent) -> Void = { _ in }) throws(RetrainError) -> Outcome {
        let check = SpecLoader.load(path: specPath)
        guard check.isValid, let experiment = check.experiment, let original = check.table else {
            throw .spec("\(specPath) is not a valid spec: " + check.errors.map(\.description).joined(separator: "; "))
        }
        let experimentName = champion.manifest.provenance.experiment
        guard experiment.name == experimentName else {
            throw .spec("the bundle was made by experiment '\(experimentName)', and \(specPath) is experiment '\(experiment.name)'")
        }
        let target = experiment.data.target.value
        guard labelled.columnNames.contains(target), labelled.rowCount >= minimumRows else {
            throw .data("retraining needs at least \(minimumRows) labelled rows with the target '\(target)'; there are \(labelled[target] == nil ? 0 : labelled.rowCount)")
        }
        // A seeded shuffle, so the same rows give the same holdout anywhere.
        var generator = SeededGenerator(seed: experiment.seed, stream: "retrain-holdout")
        let order = Array(0..<labelled.rowCount).shuffled(using: &generator)
        let holdoutCount = max(1, Int((Double(labelled.rowCount) * holdoutShare).rounded()))
        let holdout = labelled.taking(rows: Array(order.prefix(holdoutCount)).sorted())
        let fresh = labelled.taking(rows: Array(order.dropFirst(holdoutCount)).sorted())
        let combined: Table
        do { combined = try appending(fresh, to: original) } catch { throw .data("the new rows do not fit the original data: \(error)") }

        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch { throw .io("cannot create \(folder): \(error.localizedDescription)") }
        let absoluteFolder = folder.hasPrefix("/") ? folder : FileManager.default.currentDirectoryPath + "/" + folder
        let dataPath = absoluteFolder + "/data.csv"
        let derivedPath = folder + "/\(experiment.name).yaml"
        do { try Data(CSVWriter.text(combined).utf8).write(to: URL(fileURLWithPath: dataPath), options: .atomic) } catch { throw .io("cannot write \(dataPath): \(error.localizedDescription)") }
        let winner = (model: champion.manifest.modelName, params: champion.manifest.params)
        var prepared: PreparedRun?
        var widened: [String] = []
        // A widened grid the spec checks refuse (a value out of a parameter's range) falls
        // back to the original grid.
        for widen in [true, false] {
            let derived: SpecRewrite.Derived
            do { derived = try SpecRewrite.retraining(specPath: specPath, dataPath: dataPath, winner: widen ? winner : nil) } catch { throw .spec("cannot derive a spec from \(specPath): \(error.localizedDescription)") }
            do { try Data(derived.text.utf8).write(to: URL(fileURLWithPath: derivedPath), options: .atomic) } catch { throw .io("cannot write \(derivedPath): \(error.localizedDescription)") }
            do {
                prepared = try Session.prepare(specPath: derivedPath, storePath: storePath)
                widened = derived.widened
                break
            } catch {
                switch error {
                case .invalid(let diagnostics):
                    if !widen || derived.widened.isEmpty { throw .spec("the derived spec \(derivedPath) is invalid: " + diagnostics.map(\.description).joined(separator: "; ")) }
                case .failed(let message):
                    throw .run(message)
                }
            }
        }
        guard let prepared else { throw .spec("no derived spec could be prepared") }
        let results: RunResults, execution: Execution
        do {
            (results, execution) = try Session.execute(prepared, options: options, report: report)
        } catch {
            switch error {
            case .failed(let failure, _): throw .run(failure.description)
            case .cancelled: throw .run("retraining was interrupted (finished stages are kept in the store)")
            case .store(let failure): throw .io(failure.description)
            }
        }
        let outputs = absoluteFolder + "/out"
        do {
            _ = try Session.exportPackages(prepared, execution, outputFolder: outputs)
            try Session.record(prepared, results, execution, outputFolder: outputs)
        } catch {
            throw .io(error.description)
        }
        let challengerPath = outputs + "/model.bundle"
        let challengerData: Data, challenger: ModelBundle
        do {
            challengerData = try ModelBundle.readFile(path: challengerPath)
            challenger = try ModelBundle.decode(challengerData, key: prepared.keys.encryption).bundle
        } catch {
            throw .run("cannot read the new bundle \(challengerPath): \(error.description)")
        }
        guard let metric = Metric(rawValue: results.scoring) else { throw .run("the run's scoring '\(results.scoring)' is not a metric") }
        let truth = Sample(holdout[target]!)
        let features = holdout.dropping(columns: [target])
        let championScore = BundleCheck.predict(champion, features, threads: options.jobs).0.flatMap { BundleCheck.score(metric, predictions: $0, labels: truth, classes: champion.manifest.classes) }
        let challengerScore = BundleCheck.predict(challenger, features, threads: options.jobs).0.flatMap { BundleCheck.score(metric, predictions: $0, labels: truth, classes: challenger.manifest.classes) }
        guard let challengerScore else { throw .run("the new model could not be scored on the \(holdout.rowCount) held-out rows") }
        let better = championScore.map { metric.greaterIsBetter ? challengerScore > $0 : challengerScore < $0 } ?? true
        let record = PromotionRecord(experiment: experimentName, runID: results.runID, champion: championDigest, challenger: Hashing.sha256(challengerData),
                                     metric: metric.rawValue, championScore: championScore, challengerScore: challengerScore, holdoutRows: holdout.rowCount,
                                     promoted: better, bundlePath: challengerPath, decided: DeploymentApply.timestamp())
        do { try RunIndex(store: prepared.store).record(record) } catch { throw .io(error.description) }
        return Outcome(derivedSpec: derivedPath, data: dataPath, runID: results.runID, challengerBundle: challengerPath, newRows: fresh.rowCount,
                       holdoutRows: holdout.rowCount, widened: widened, comparison: record)
    }

    /// The original table with `rows` below it: columns as the original has them (values
    /// of the new rows converted to each column's type; a column they lack is missing).
    static func appending(_ rows: Table, to original: Table) throws -> Table {
        var columns: [Column] = []
        for column in original.columns {
            let extra = rows[column.name].map { Sample($0) } ?? .texts([String?](repeating: nil, count: rows.rowCount))
            switch column.storage {
            case .numeric(let values):
                let added: [Double]
                if column.kind == .boolean, case .texts(let texts) = extra {
                    added = texts.map { text in text.map { $0.lowercased() == "true" ? 1 : $0.lowercased() == "false" ? 0 : .nan } ?? .nan }
                } else {
                    added = extra.numbers().values
                }
                columns.append(Column(name: column.name, numeric: values + added, kind: column.kind))
            case .categorical:
                let existing = (0..<column.count).map { column.text(at: $0) }
                columns.append(Column(name: column.name, strings: existing + extra.texts()))
            }
        }
        return try Table(columns: columns)
    }
}

/// Why retraining stopped.
public enum RetrainError: Error, CustomStringConvertible {
    case spec(String)
    case data(String)
    case run(String)
    case io(String)

    public var description: String {
        switch self {
        case .spec(let message), .data(let message), .run(let message), .io(let message): return message
        }
    }
}
