import Foundation
import XCTest
import Learn
import Tabular

/// Test-split diagnostics against scikit-learn on real data: ROC curves and AUC, average
/// precision, the classification report and calibration on the same probabilities, and
/// permutation importance of the same model (scikit-learn fits its own and shuffles with its
/// own seed: means within 0.01). RUNNER_PYTHON names an interpreter with scikit-learn;
/// RUNNER_REQUIRE_PYTHON=1 turns a skip into a failure.
final class DiagnosticsParityTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every fourth row is a test row.
    private func split(_ rows: Int) -> (train: [Int], test: [Int]) {
        ((0..<rows).filter { $0 % 4 != 0 }, (0..<rows).filter { $0 % 4 == 0 })
    }

    private func classificationCase(name: String, csv: URL, target: String, features: [String]) throws -> [String: Any] {
        let table = try CSVReader.read(path: csv.path).selecting(columns: features + [target])
        let (train, test) = split(table.rowCount)
        let encoded = try Target.encode(table[target]!, task: .classification)
        let inputs = table.dropping(columns: [target])
        let model = try PipelineConfig(steps: [], model: ModelConfig(GaussianNBConfig())).fit(inputs.taking(rows: train), encoded.taking(rows: train))
        let truth = encoded.taking(rows: test)
        let diagnostics = try ModelDiagnostics.compute(model: model, features: inputs.taking(rows: test), truth: truth, metric: .accuracy, repeats: 1000, seed: 7, threads: 2)
        guard case .classes(let labels, let classes) = truth, case .classes(let predicted, let probabilities?) = try model.predict(inputs.taking(rows: test)) else {
            XCTFail("a classifier predicted no classes or no probabilities")
            return [:]
        }
        let encoder = JSONEncoder()
        func plain<T: Encodable>(_ value: T) throws -> Any { try JSONSerialization.jsonObject(with: encoder.encode(value)) }
        return ["name": name, "task": "classification", "csv": csv.path, "target": target, "features": features, "train": train, "test": test,
                "classes": classes, "truth": labels, "predicted": predicted,
                "probabilities": (0..<probabilities.rows).map { row in (0..<probabilities.columns).map { probabilities[row, $0] } },
                "classScores": try plain(diagnostics.classScores!), "curves": try plain(diagnostics.curves!),
                "importances": try plain(diagnostics.importances), "baseline": diagnostics.importanceBaseline, "repeats": 1000]
    }

    func cases() throws -> [[String: Any]] {
        let iris = Fixtures.folder.appendingPathComponent("iris.csv")
        let titanic = Self.repository.appendingPathComponent("experiments/data/titanic.csv")
        // Titanic's complete numeric rows: two classes, so the binary curves are checked too.
        let complete = try CSVReader.read(path: titanic.path)
        let kept = (0..<complete.rowCount).filter { !complete["age"]!.isMissing(at: $0) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let binary = folder.appendingPathComponent("titanic-complete.csv")
        let subset = complete.taking(rows: kept)
        var text = "pclass,age,sibsp,parch,survived\n"
        for row in 0..<subset.rowCount {
            // The class as a number (1st → 1), so both sides read only numeric inputs.
            let pclass = String(subset["pclass"]!.text(at: row)!.prefix(1))
            text += ([pclass] + ["age", "sibsp", "parch", "survived"].map { subset[$0]!.text(at: row)! }).joined(separator: ",") + "\n"
        }
        try text.write(to: binary, atomically: true, encoding: .utf8)

        var cases = [
            try classificationCase(name: "iris", csv: iris, target: "species", features: ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"]),
            try classificationCase(name: "titanic", csv: binary, target: "survived", features: ["pclass", "age", "sibsp", "parch"]),
        ]
        let diabetesURL = Fixtures.folder.appendingPathComponent("diabetes.csv")
        let diabetes = try CSVReader.read(path: diabetesURL.path)
        let (train, test) = split(diabetes.rowCount)
        let target = try Target.encode(diabetes["target"]!, task: .regression), inputs = diabetes.dropping(columns: ["target"])
        let model = try PipelineConfig(steps: [], model: ModelConfig(LinearRegressionConfig())).fit(inputs.taking(rows: train), target.taking(rows: train))
        let diagnostics = try ModelDiagnostics.compute(model: model, features: inputs.taking(rows: test), truth: target.taking(rows: test), metric: .r2, repeats: 1000, seed: 7, threads: 2)
        XCTAssertEqual(diagnostics.predicted?.count, test.count)
        cases.append(["name": "diabetes", "task": "regression", "csv": diabetesURL.path, "target": "target", "features": inputs.columnNames, "train": train, "test": test,
                      "importances": try JSONSerialization.jsonObject(with: JSONEncoder().encode(diagnostics.importances)), "baseline": diagnostics.importanceBaseline, "repeats": 1000])
        return cases
    }

    func testDiagnosticsAgreeWithScikitLearn() throws {
        let environment = ProcessInfo.processInfo.environment
        let python = environment["RUNNER_PYTHON"] ?? "python3"
        let probe = try PythonProcess.run(python, ["-c", "import sklearn"])
        if probe.status != 0 {
            if environment["RUNNER_REQUIRE_PYTHON"] == "1" { XCTFail("\(python) cannot import sklearn: \(probe.output)") }
            throw XCTSkip("\(python) with scikit-learn is not available; set RUNNER_PYTHON")
        }
        let cases = try cases()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("runner-parity-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: cases).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let result = try PythonProcess.run(python, [Self.repository.path + "/scripts/check_evaluation_parity.py", path.path])
        print(result.output)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains(" checks agree") && !result.output.contains("MISMATCH"), result.output)
    }

    /// Hand-checked against scikit-learn: y = [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8].
    func testCurvesOfTheTextbookExample() {
        let curves = ClassCurves.compute(label: "1", positive: [false, false, true, true], scores: [0.1, 0.4, 0.35, 0.8])
        XCTAssertEqual(curves.roc.x, [0, 0, 0.5, 0.5, 1])
        XCTAssertEqual(curves.roc.y, [0, 0.5, 0.5, 1, 1])
        XCTAssertEqual(curves.rocAUC, 0.75)
        XCTAssertEqual(curves.averagePrecision!, 0.8333333333333333, accuracy: 1e-15)
        XCTAssertEqual(curves.precisionRecall.x, [1, 1, 0.5, 0.5, 0])
        XCTAssertEqual(curves.precisionRecall.y[0], 0.5)
        XCTAssertEqual(curves.precisionRecall.y.last, 1)
        // One class only: no AUC, no average precision, no crash.
        let single = ClassCurves.compute(label: "1", positive: [true, true], scores: [0.2, 0.9])
        XCTAssertNil(single.rocAUC)
        XCTAssertEqual(single.averagePrecision, 1)
        let none = ClassCurves.compute(label: "1", positive: [false, false], scores: [0.2, 0.9])
        XCTAssertNil(none.averagePrecision)
    }

    /// Shuffling an unused column costs nothing; the result does not depend on threads.
    func testPermutationImportanceIsSeededAndThreadIndependent() throws {
        let table = try Fixtures.table("iris.csv")
        let target = try Target.encode(table["species"]!, task: .classification), inputs = table.dropping(columns: ["species"])
        let model = try PipelineConfig(steps: [], model: ModelConfig(GaussianNBConfig())).fit(inputs, target)
        let one = try PermutationImportance.compute(model: model, features: inputs, truth: target, metric: .accuracy, repeats: 5, seed: 3, threads: 1)
        let four = try PermutationImportance.compute(model: model, features: inputs, truth: target, metric: .accuracy, repeats: 5, seed: 3, threads: 4)
        XCTAssertEqual(one.importances, four.importances)
        XCTAssertEqual(one.importances.first?.column.hasPrefix("petal"), true)
        let other = try PermutationImportance.compute(model: model, features: inputs, truth: target, metric: .accuracy, repeats: 5, seed: 4, threads: 1)
        XCTAssertNotEqual(one.importances, other.importances)
    }
}

/// Runs a reference tool with its output captured.
enum PythonProcess {
    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("runner-python-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? FileManager.default.removeItem(at: output) }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}
