import Foundation
import XCTest

/// `runner test`, the spec's `tests:` in `runner run` (gating, --allow-failed-tests, JUnit),
/// `runner init` and `runner diff`, as a user runs them.
final class ModelTestCommandTests: XCTestCase {
    private var folder: URL!

    private static func spec(tests: String, models: String = "  - {name: logreg, type: logistic_regression, params: {max_iter: 1000}, grid: {C: [0.1, 1]}}", formats: String = "[bundle, onnx]") -> String {
        """
        version: 1
        name: gated
        seed: 3
        data: {source: data/penguins.csv, target: species, drop: [year]}
        preprocess:
          - impute: {columns: numeric, strategy: mean}
          - impute: {columns: categorical, strategy: most_frequent}
          - one_hot: {columns: categorical, handle_unknown: ignore}
          - scale: {columns: numeric, method: standard}
        models:
        \(models)
        search: {cv: 3, scoring: accuracy}
        metrics: [accuracy, recall_macro]
        package: {formats: \(formats)}
        tests:
        \(tests)
        """
    }

    override func setUpWithError() throws {
        folder = try RunnerProcess.experimentFolder(spec: Self.spec(tests: "  - metric: {accuracy: \">= 0.5\"}"))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func runner(_ arguments: String...) throws -> RunnerProcess.Outcome {
        try RunnerProcess.run(arguments, in: folder)
    }

    private func file(_ relative: String) -> String { folder.appendingPathComponent(relative).path }

    private func write(_ text: String, to relative: String) throws {
        try text.write(toFile: file(relative), atomically: true, encoding: .utf8)
    }

    /// Golden rows from the model's own predictions (`runner predict --proba`), the label put
    /// where the target goes; `wrong` flips the first row's class.
    private func writeGolden(wrong: Bool) throws {
        let rows = try String(contentsOfFile: file("data/penguins.csv"), encoding: .utf8).split(separator: "\n").prefix(13).map(String.init)
        try (rows.joined(separator: "\n") + "\n").write(toFile: file("golden-input.csv"), atomically: true, encoding: .utf8)
        let predicted = try runner("predict", "out/gated/model.bundle", "golden-input.csv", "--proba", "--out", "predicted.csv")
        XCTAssertEqual(predicted.status, 0, predicted.stderr)
        let outputs = try String(contentsOfFile: file("predicted.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        var golden = [rows[0].replacingOccurrences(of: ",species", with: ",species_in_data") + "," + outputs[0].replacingOccurrences(of: "prediction", with: "species")]
        for index in 1..<rows.count {
            var output = outputs[index]
            if wrong && index == 1 { output = (output.hasPrefix("Adelie") ? "Gentoo" : "Adelie") + output.drop { $0 != "," } }
            golden.append(rows[index] + "," + output)
        }
        try write(golden.joined(separator: "\n") + "\n", to: "golden.csv")
    }

    func testEveryKindPassesAndFailsOnPurpose() throws {
        // A first run packages the model (for golden rows) and writes the lock no_regression reads.
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        try writeGolden(wrong: false)
        try write(Self.spec(tests: """
              - metric: {accuracy: ">= 0.9", recall_macro: "> 0.9"}
              - per_class: {recall: ">= 0.7"}
              - per_class: {class: Gentoo, precision: ">= 0.9"}
              - better_than: baseline
              - no_regression: {against: lock, metric: accuracy, max_drop: 0.01}
              - examples: {file: golden.csv, tolerance: 1e-9}
              - invariance: {column: sex, max_changed: 0.5}
              - stability: {metric: accuracy, max_cv_std: 0.2}
              - onnx_agrees: true
              - metric: {accuracy: ">= 0.9"}
                data: data/penguins.csv
            """), to: "exp.yaml")
        let passing = try runner("test", "exp.yaml", "--quiet", "--junit", "passing.xml")
        XCTAssertEqual(passing.status, 0, passing.stdout + passing.stderr)
        XCTAssertEqual(passing.stdout.components(separatedBy: "\nok   test ").count - 1 + (passing.stdout.hasPrefix("ok   test ") ? 1 : 0), 10, passing.stdout)
        XCTAssertTrue(passing.stdout.contains("tests: 10 passed, 0 failed"), passing.stdout)
        XCTAssertTrue(passing.stdout.contains("on penguins.csv (344 rows)"), passing.stdout)

        // Every kind failing: thresholds out of reach, a golden row with the wrong class, a
        // lock claiming a better model, and a model that has no ONNX form.
        try writeGolden(wrong: true)
        var lock = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file("exp.lock")))) as? [String: Any])
        var metrics = try XCTUnwrap(lock["metrics"] as? [String: Any]), test = try XCTUnwrap(metrics["test"] as? [String: Any])
        test["accuracy"] = 1.5
        metrics["test"] = test
        lock["metrics"] = metrics
        try JSONSerialization.data(withJSONObject: lock, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: file("exp.lock")))
        try write(Self.spec(tests: """
              - metric: {accuracy: ">= 1.01"}
              - per_class: {recall: "> 1"}
              - better_than: {against: baseline, margin: 0.9}
              - no_regression: {against: lock, metric: accuracy, max_drop: 0.01}
              - examples: {file: golden.csv}
              - invariance: {column: bill_length_mm, max_changed: 0}
              - stability: {metric: accuracy, max_cv_std: 0}
            """), to: "exp.yaml")
        let failing = try runner("test", "exp.yaml", "--quiet", "--junit", "failing.xml")
        XCTAssertEqual(failing.status, 1, failing.stdout + failing.stderr)
        XCTAssertTrue(failing.stdout.contains("tests: 0 passed, 7 failed"), failing.stdout + failing.stderr)
        for expected in ["accuracy 0.", "(required >= 1.01)", "recall of 'Adelie'", "(required > 1)", "the baseline scores accuracy", "(required >= 1.49)",
                         "the lock records accuracy 1.5", "outputs outside the tolerance 1 (required <= 0)", "row 1: expected", "share of predictions changed",
                         "std of accuracy over 3 folds"] {
            XCTAssertTrue(failing.stdout.contains(expected), "\(expected) in \(failing.stdout)")
        }
        let knn = Self.spec(tests: "  - onnx_agrees: {tolerance: 1e-6}", models: "  - {name: knn, type: k_neighbors, grid: {n_neighbors: [3, 5]}}", formats: "[bundle]")
        try write(knn, to: "exp.yaml")
        let noONNX = try runner("test", "exp.yaml", "--quiet")
        XCTAssertEqual(noONNX.status, 1, noONNX.stdout + noONNX.stderr)
        XCTAssertTrue(noONNX.stdout.contains("k_neighbors has no ONNX export"), noONNX.stdout)

        try checkJUnit("passing.xml", tests: 10, failures: 0)
        try checkJUnit("failing.xml", tests: 7, failures: 7)
    }

    /// GitLab's JUnit shape, read by Python's XML parser: testsuites > testsuite > testcase,
    /// a <failure> with a message per failed test.
    private func checkJUnit(_ name: String, tests: Int, failures: Int) throws {
        let python = try ReferencePython.interpreter(importing: ["xml.etree.ElementTree"])
        let check = try ReferencePython.run(python, script: "check_junit.py", in: "scripts", [file(name)])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        let output = check.stdout
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "\(tests) \(failures)")
    }

    func testFailingTestsBlockPackagingUnlessAllowed() throws {
        try write(Self.spec(tests: "  - metric: {accuracy: \">= 1.01\"}"), to: "exp.yaml")
        let blocked = try runner("run", "exp.yaml", "--quiet")
        XCTAssertEqual(blocked.status, 1, blocked.stdout + blocked.stderr)
        XCTAssertTrue(blocked.stderr.contains("1 model test failed: the model was not packaged or deployed"), blocked.stderr)
        XCTAssertTrue(blocked.stdout.contains("FAIL test 1 metric"), blocked.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("out/gated/model.bundle")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("out/gated/model.onnx")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("exp.lock")), "a failing model must not become the lock")
        let results = try String(contentsOfFile: file("out/gated/results.json"), encoding: .utf8)
        XCTAssertTrue(results.contains("\"withheld\""), results)

        let allowed = try runner("run", "exp.yaml", "--quiet", "--allow-failed-tests")
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        XCTAssertTrue(allowed.stdout.contains("packaged anyway: --allow-failed-tests"), allowed.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file("out/gated/model.bundle")))
        let recorded = try String(contentsOfFile: file("out/gated/results.json"), encoding: .utf8)
        XCTAssertTrue(recorded.contains("\"failedTestsAllowed\" : true"), recorded)

        // Passing tests package as usual; the test stages come from the cache.
        try write(Self.spec(tests: "  - metric: {accuracy: \">= 0.5\"}"), to: "exp.yaml")
        let passing = try runner("run", "exp.yaml", "--quiet")
        XCTAssertEqual(passing.status, 0, passing.stderr)
        XCTAssertTrue(passing.stdout.contains("tests: 1 passed, 0 failed"), passing.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file("exp.lock")))
    }

    func testAModelThatFailsItsTestsIsNotDeployed() throws {
        let spec = Self.spec(tests: "  - metric: {accuracy: \">= 1.01\"}", formats: "[bundle]") + "\ndeploy:\n  - {name: local, type: container, port: 18999}\n"
        try write(spec, to: "exp.yaml")
        let refused = try runner("deploy", "exp.yaml", "--target", "local", "--quiet")
        XCTAssertEqual(refused.status, 1, refused.stdout + refused.stderr)
        XCTAssertTrue(refused.stderr.contains("1 model test failed: not deploying to 'local'"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("out/gated/deploy/local")))
        let allowed = try runner("deploy", "exp.yaml", "--target", "local", "--quiet", "--allow-failed-tests")
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file("out/gated/deploy/local/deploy.sh")))
    }

    func testBadTestsAreLocatedSpecErrors() throws {
        try write(Self.spec(tests: """
              - metric: {rmse: "<= 1"}
              - per_class: {class: Emperor, recall: ">= 0.5"}
              - examples: {file: missing.csv}
              - stability: {max_cv_std: high}
            """), to: "exp.yaml")
        let outcome = try runner("validate", "exp.yaml")
        XCTAssertEqual(outcome.status, 2, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("error: tests[4].stability.max_cv_std must be a finite number"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("error: tests: metric 'rmse' is for regression, but this is a classification experiment"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("error: tests: class 'Emperor' is not a class of target 'species' (it has 'Adelie', 'Chinstrap' and 'Gentoo')"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("error: tests: examples file 'missing.csv' not found"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("exp.yaml:"), outcome.stderr)
    }

    func testInitWritesSpecsThatRunForEveryExampleDataset() throws {
        let datasets = [("cars", "miles_per_gallon"), ("iris", "species"), ("penguins", "species"), ("titanic", "survived")]
        for (name, target) in datasets {
            let data = RunnerProcess.repository.appendingPathComponent("experiments/data/\(name).csv").path
            let written = try runner("init", data, "--target", target, "--out", "specs/\(name).yaml")
            XCTAssertEqual(written.status, 0, written.stderr)
            let text = try String(contentsOfFile: file("specs/\(name).yaml"), encoding: .utf8)
            XCTAssertTrue(text.contains("# task: "), text)
            XCTAssertTrue(text.hasPrefix("# yaml-language-server: $schema=experiment.schema.json\n"), text)
            XCTAssertTrue(FileManager.default.fileExists(atPath: file("specs/experiment.schema.json")))
            let run = try runner("run", "specs/\(name).yaml", "--quiet")
            XCTAssertEqual(run.status, 0, "\(name): \(run.stderr)\n\(text)")
            XCTAssertTrue(run.stdout.contains("best: "), run.stdout)
        }
        let cars = try String(contentsOfFile: file("specs/cars.yaml"), encoding: .utf8)
        XCTAssertTrue(cars.contains("type: ridge") && cars.contains("metrics: [rmse, mae, r2]"), cars)
        XCTAssertTrue(cars.contains("impute: {columns: numeric, strategy: median}  # missing values in 'horsepower'"), cars)
        let titanic = try String(contentsOfFile: file("specs/titanic.yaml"), encoding: .utf8)
        XCTAssertTrue(titanic.contains("roc_auc") && titanic.contains("hist_gradient_boosting"), titanic)

        let again = try runner("init", "data/penguins.csv", "--target", "species", "--out", "specs/penguins.yaml")
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("exists"), again.stderr)
        let wrong = try runner("init", "data/penguins.csv", "--target", "specis", "--out", "other.yaml")
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("'specis' is not a column of data/penguins.csv (did you mean 'species'?)"), wrong.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("other.yaml")))
    }

    func testDiffShowsAChangedGridValueAndMetricDeltas() throws {
        let first = try runner("run", "exp.yaml", "--quiet", "--json")
        XCTAssertEqual(first.status, 0, first.stderr)
        // The grid's CV scores per parameter value travel in results.json.
        let results = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let curves = try XCTUnwrap(results["parameterScores"] as? [[String: Any]])
        XCTAssertEqual(curves.count, 1)
        XCTAssertEqual(curves.first?["parameter"] as? String, "C")
        XCTAssertEqual((curves.first?["points"] as? [[String: Any]])?.compactMap { $0["value"] as? String }, ["0.1", "1"])
        try FileManager.default.copyItem(atPath: file("exp.lock"), toPath: file("first.lock"))
        let spec = try String(contentsOfFile: file("exp.yaml"), encoding: .utf8)
        try write(spec.replacingOccurrences(of: "grid: {C: [0.1, 1]}", with: "grid: {C: [0.01, 0.1]}"), to: "exp.yaml")
        let second = try runner("run", "exp.yaml", "--quiet", "--json")
        XCTAssertEqual(second.status, 0, second.stderr)
        func runID(_ text: String) throws -> String {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            return try XCTUnwrap(object["runID"] as? String)
        }
        let diff = try runner("diff", try runID(first.stdout), try runID(second.stdout))
        XCTAssertEqual(diff.status, 0, diff.stderr)
        XCTAssertTrue(diff.stdout.contains("models[logreg].grid.C"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("[0.1, 1]") && diff.stdout.contains("[0.01, 0.1]"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("data: unchanged"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("cv accuracy") && diff.stdout.contains("test recall_macro"), diff.stdout)
        let json = try runner("diff", try runID(first.stdout), try runID(second.stdout), "--json")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let changes = try XCTUnwrap(object["specChanges"] as? [[String: Any]])
        XCTAssertEqual(changes.first?["key"] as? String, "models[logreg].grid.C")
        let metrics = try XCTUnwrap(object["metrics"] as? [[String: Any]])
        XCTAssertTrue(metrics.contains { $0["split"] as? String == "test" && $0["metric"] as? String == "accuracy" && $0["delta"] is Double })
        // Two lock files: the first lock's spec text is gone from beside it, so the store supplies it.
        let locks = try runner("diff", "first.lock", "exp.lock")
        XCTAssertEqual(locks.status, 0, locks.stderr)
        XCTAssertTrue(locks.stdout.contains("models[logreg].grid.C"), locks.stdout)
        let missing = try runner("diff", "nope.lock", "exp.lock")
        XCTAssertEqual(missing.status, 1)
    }
}
