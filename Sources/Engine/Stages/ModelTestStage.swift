import Foundation
import Learn
import Spec
import Tabular

/// One entry of the spec's `tests:`: measures what it checks and judges it (no_regression's
/// bound comes from the lock after the run, so the lock never feeds its own key).
enum ModelTestStage: StageDefinition {
    /// A file the test reads besides the experiment's data, with its digest from planning.
    struct CompanionFile: Codable, Sendable {
        var path: String
        var digest: String
        var format: DataFormat
        var delimiter: UInt8?
        var naValues: [String]
        var columnKinds: [String: ColumnKind]
    }

    struct Parameters: Codable, Sendable {
        var number: Int
        var check: ModelCheck
        var target: String
        var task: LearningTask
        var seed: UInt64
        /// `data:`: rows to test on instead of the test split.
        var data: CompanionFile?
        /// `examples.file`.
        var examples: CompanionFile?
    }

    static let kind = StageKind.test
    static let version = 1
    static let output = "test"
    static let form = Artifact.Form.testResult

    static func compute(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String]) {
        let result = try measure(params, inputs, context)
        let verdict = result.passed.map { $0 ? "passed" : "FAILED" } ?? "measured"
        return (.testResult(result), ["\(verdict): " + result.checks.map(\.text).joined(separator: "; ")])
    }

    private static func measure(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> ModelTestResult {
        let number = params.number, check = params.check
        switch check {
        case .stability(let metric?, let maxStd):
            let leaderboard = try inputs.leaderboard()
            guard let scores = leaderboard.candidates[leaderboard.best].scores[metric.rawValue] else {
                throw EngineError.internalError("the leaderboard has no \(metric.rawValue) scores")
            }
            let folds = scores.folds.map { Wording.number($0) }.joined(separator: ", ")
            return ModelTestResult(number: number, kind: check.kind, title: "cross-validation \(metric.rawValue) spread (std) <= \(Wording.number(maxStd))",
                                   checks: [TestCheck(what: "std of \(metric.rawValue) over \(scores.folds.count) folds", measured: scores.std, requirement: Requirement(.atMost, maxStd))],
                                   notes: ["fold scores: \(folds)"])
        case .onnxAgrees(let tolerance):
            let model = try inputs.model(), rows = try testRows(params, inputs, context)
            return try ONNXAgreement.check(model: model, features: rows.features, tolerance: tolerance, number: number, threads: context.threads)
        case .examples(let file, let tolerance):
            guard let examples = params.examples else { throw EngineError.internalError("examples test without its file") }
            return try checkExamples(file: file, examples, tolerance: tolerance, params, try inputs.model(), context)
        default:
            break
        }
        let model = try inputs.model(), rows = try testRows(params, inputs, context)
        let prediction = try model.predict(rows.features, threads: context.threads)
        let on = "on \(rows.description) (\(rows.features.rowCount) rows)"
        switch check {
        case .metric(let requirements):
            var checks: [TestCheck] = []
            for item in requirements {
                guard let metric = Metric(rawValue: item.metric) else { throw EngineError.internalError("unknown metric \(item.metric)") }
                checks.append(TestCheck(what: metric.rawValue, measured: try Scoring.score(metric, truth: rows.truth, prediction: prediction), requirement: item.requirement))
            }
            let title = requirements.map { "\($0.metric) \($0.requirement)" }.joined(separator: ", ")
            return ModelTestResult(number: number, kind: check.kind, title: "\(title) \(on)", checks: checks)
        case .perClass(let label, let requirements):
            guard case .classes(let truth, let classes) = rows.truth, case .classes(let predicted, _) = prediction else {
                throw EngineError.internalError("per_class on a regression target")
            }
            let report = ClassScores.report(truth: truth, predicted: predicted, classes: classes)
            var checks: [TestCheck] = [], notes: [String] = []
            for scores in report where label == nil || scores.label == label {
                if scores.support == 0 {
                    // Every class: one absent from these rows is noted; the named class must be there.
                    notes.append("class '\(scores.label)' has no rows here" + (label == nil ? "; not checked" : ""))
                    if label == nil { continue }
                }
                for item in requirements {
                    let value = item.metric == "precision" ? scores.precision : item.metric == "recall" ? scores.recall : scores.f1
                    checks.append(TestCheck(what: "\(item.metric) of '\(scores.label)'", measured: value, requirement: item.requirement))
                }
            }
            let which = label.map { "class '\($0)'" } ?? "every class"
            let title = requirements.map { "\($0.metric) \($0.requirement)" }.joined(separator: ", ")
            return ModelTestResult(number: number, kind: check.kind, title: "\(title) for \(which) \(on)", checks: checks, notes: notes)
        case .betterThanBaseline(let metric?, let margin):
            let table = try inputs.table(), split = try inputs.split()
            let training = try context.target(table, params.target, params.task).taking(rows: split.train)
            let (baseline, name) = Baseline.prediction(training: training, rows: rows.features.rowCount)
            let score = try Scoring.score(metric, truth: rows.truth, prediction: prediction)
            let reference = try Scoring.score(metric, truth: rows.truth, prediction: baseline)
            let requirement = metric.greaterIsBetter ? Requirement(.above, reference + margin) : Requirement(.below, reference - margin)
            return ModelTestResult(number: number, kind: check.kind, title: "\(metric.rawValue) better than a baseline (\(name)) by more than \(Wording.number(margin)) \(on)",
                                   checks: [TestCheck(what: metric.rawValue, measured: score, requirement: requirement)],
                                   notes: ["the baseline scores \(metric.rawValue) \(Wording.number(reference))"])
        case .noRegression(let metric?, let maxDrop):
            let score = try Scoring.score(metric, truth: rows.truth, prediction: prediction)
            return ModelTestResult(number: number, kind: check.kind, title: "\(metric.rawValue) at most \(Wording.number(maxDrop)) worse than the lock \(on)",
                                   checks: [TestCheck(what: metric.rawValue, measured: score, requirement: nil)])
        case .invariance(let column, let maxChanged, let tolerance):
            let (changed, notes) = try Invariance.changedShare(model: model, features: rows.features, prediction: prediction, column: column,
                                                                tolerance: tolerance, seed: params.seed, threads: context.threads)
            return ModelTestResult(number: number, kind: check.kind, title: "changing '\(column)' changes at most \(Wording.number(maxChanged * 100))% of predictions \(on)",
                                   checks: [TestCheck(what: "share of predictions changed", measured: changed, requirement: Requirement(.atMost, maxChanged))], notes: notes)
        default:
            throw EngineError.internalError("test '\(check.kind)' without its metric")
        }
    }

    /// Labelled rows to test on: the test split, or the test's own data file.
    private struct Rows {
        var features: Table
        var truth: Target
        var description: String
    }

    private static func testRows(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> Rows {
        if let file = params.data {
            let (table, truth) = try CompanionData.read(file, target: params.target, task: params.task, classes: try inputs.model().classes)
            return Rows(features: table.dropping(columns: [params.target]), truth: truth, description: (file.path as NSString).lastPathComponent)
        }
        let table = try inputs.table(), split = try inputs.split()
        let truth = try context.target(table, params.target, params.task).taking(rows: split.test)
        return Rows(features: table.dropping(columns: [params.target]).taking(rows: split.test), truth: truth, description: "the test split")
    }

    /// Golden rows: the target column holds the output each must get; `proba_<class>` columns,
    /// when present, the probabilities (as `runner predict --proba` writes them).
    private static func checkExamples(file: String, _ examples: CompanionFile, tolerance: Double, _ params: Parameters, _ model: FittedPipeline, _ context: StageContext) throws -> ModelTestResult {
        let (table, truth) = try CompanionData.read(examples, target: params.target, task: params.task, classes: model.classes)
        let prediction = try model.predict(table.dropping(columns: [params.target]), threads: context.threads)
        var mismatches: [String] = [], largest = 0.0
        var wrong = 0
        switch (truth, prediction) {
        case (.classes(let expected, let classes), .classes(let predicted, let probabilities)):
            for row in expected.indices where expected[row] != predicted[row] {
                wrong += 1
                if mismatches.count < 5 { mismatches.append("row \(row + 1): expected '\(classes[expected[row]])', got '\(classes[predicted[row]])'") }
            }
            for (index, name) in classes.enumerated() {
                guard let column = table["proba_" + name], let values = column.numericValues else { continue }
                guard let probabilities else { throw EngineError.data("\(file) has probability columns, but this model gives no probabilities") }
                for row in 0..<table.rowCount where values[row].isFinite {
                    let difference = abs(values[row] - probabilities[row, index])
                    if difference > tolerance {
                        if difference > largest, mismatches.count < 5 {
                            mismatches.append("row \(row + 1): proba_\(name) expected \(Wording.number(values[row])), got \(Wording.number(probabilities[row, index]))")
                        }
                        wrong += 1
                    }
                    largest = max(largest, difference)
                }
            }
        case (.values(let expected), .values(let predicted)):
            for row in expected.indices {
                let difference = abs(expected[row] - predicted[row])
                largest = max(largest, difference)
                if difference > tolerance {
                    wrong += 1
                    if mismatches.count < 5 { mismatches.append("row \(row + 1): expected \(Wording.number(expected[row])), got \(Wording.number(predicted[row]))") }
                }
            }
        default:
            throw EngineError.internalError("examples: the prediction does not match the target's task")
        }
        return ModelTestResult(number: params.number, kind: "examples", title: "\(table.rowCount) examples in \(file) get their outputs (tolerance \(Wording.number(tolerance)))",
                               checks: [TestCheck(what: "outputs outside the tolerance", measured: Double(wrong), requirement: Requirement(.atMost, 0))],
                               notes: mismatches + (largest > 0 ? ["largest difference \(Wording.number(largest))"] : []))
    }
}
