import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Packaging
import XCTest

/// `runner monitor` as a user runs it: a healthy file (exit 0), shifted data (exit 2, the
/// column named), labels that disagree on a fifth of rows (decay, exit 2), Prometheus text,
/// the server's prediction log read back, retraining with champion/challenger recorded in
/// the run index, the alerting files, and the refusals (exit 3, 64).
final class MonitorCommandTests: XCTestCase {
    private var folder: URL!

    private static let spec = """
        version: 1
        name: penguins
        seed: 5
        data: {source: data/penguins.csv, target: species, drop: [year]}
        preprocess:
          - impute: {columns: numeric, strategy: mean}
          - impute: {columns: categorical, strategy: most_frequent}
          - one_hot: {columns: categorical, handle_unknown: ignore}
          - scale: {columns: numeric}
        models:
          - {name: logreg, type: logistic_regression, params: {max_iter: 500}, grid: {C: [0.01, 0.1]}}
        search: {cv: 3}
        monitor:
          thresholds: {performance_alert: 0.1}
        """

    override func setUpWithError() throws {
        folder = try RunnerProcess.experimentFolder(spec: Self.spec)
        let run = try runner(["run", "exp.yaml", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func runner(_ arguments: [String]) throws -> RunnerProcess.Outcome {
        try RunnerProcess.run(arguments, in: folder)
    }

    private var bundle: String { folder.appendingPathComponent("out/penguins/model.bundle").path }

    /// The data file with `change` applied to every record (header kept).
    private func variant(_ name: String, _ change: (_ header: [String], _ fields: inout [String], _ row: Int) -> Void) throws -> String {
        let text = try String(contentsOf: folder.appendingPathComponent("data/penguins.csv"), encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        for index in lines.indices {
            var fields = lines[index].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            change(header, &fields, index)
            lines[index] = fields.joined(separator: ",")
        }
        let path = folder.appendingPathComponent(name).path
        try ([header.joined(separator: ",")] + lines).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        return name
    }

    func testHealthyShiftedAndDecayedData() throws {
        let healthy = try runner(["monitor", bundle, "--data", "data/penguins.csv"])
        XCTAssertEqual(healthy.status, 0, healthy.stdout + healthy.stderr)
        XCTAssertTrue(healthy.stdout.contains("status: ok"), healthy.stdout)
        XCTAssertTrue(healthy.stdout.contains("accuracy"), "the file has the target, so metrics are compared: \(healthy.stdout)")

        let shifted = try variant("shifted.csv") { header, fields, _ in
            let column = header.firstIndex(of: "flipper_length_mm")!
            if let value = Double(fields[column]) { fields[column] = String(value + 25) }
        }
        let alert = try runner(["monitor", bundle, "--data", shifted, "--prometheus", "drift.prom", "--json"])
        XCTAssertEqual(alert.status, 2, alert.stdout + alert.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(alert.stdout.utf8)) as? [String: Any])
        let columns = try XCTUnwrap(report["columns"] as? [[String: Any]])
        XCTAssertEqual(columns.filter { $0["drift"] as? Bool == true }.compactMap { $0["name"] as? String }, ["flipper_length_mm"])
        XCTAssertEqual(report["status"] as? String, "alert")
        let prom = try String(contentsOf: folder.appendingPathComponent("drift.prom"), encoding: .utf8)
        XCTAssertTrue(prom.contains(#"runner_feature_drift_detected{model="penguins",feature="flipper_length_mm"} 1.0"#), prom)
        XCTAssertTrue(prom.contains(#"runner_drift_status{model="penguins"} 2.0"#), prom)

        // Every fifth label names another species: accuracy drops past the alert threshold.
        let species = ["Adelie", "Chinstrap", "Gentoo"]
        let relabelled = try variant("relabelled.csv") { header, fields, row in
            let column = header.firstIndex(of: "species")!
            if row % 5 == 0, let index = species.firstIndex(of: fields[column]) { fields[column] = species[(index + 1) % 3] }
        }
        let decayed = try runner(["monitor", bundle, "--data", relabelled])
        XCTAssertEqual(decayed.status, 2, decayed.stdout + decayed.stderr)
        XCTAssertTrue(decayed.stdout.contains("status: alert (") && decayed.stdout.contains("accuracy 0."), decayed.stdout)
        XCTAssertFalse(decayed.stdout.contains("drift in"), "the inputs did not move, only the outcomes: \(decayed.stdout)")
    }

    func testRetrainComparesChampionAndChallengerAndRecordsIt() throws {
        // Upstream started sending body mass in kilograms: the deployed model, trained on
        // grams, is wrong on much of it; a model that also learns from the new rows is not.
        let swapped = try variant("kilograms.csv") { header, fields, _ in
            let column = header.firstIndex(of: "body_mass_g")!
            if let grams = Double(fields[column]) { fields[column] = String(grams / 1000) }
        }
        let retrain = try runner(["monitor", bundle, "--data", swapped, "--retrain", "exp.yaml"])
        XCTAssertEqual(retrain.status, 2, retrain.stdout + retrain.stderr)
        XCTAssertTrue(retrain.stdout.contains("retrained: run "), retrain.stdout)
        XCTAssertTrue(retrain.stdout.contains("vs challenger"), retrain.stdout)
        XCTAssertTrue(retrain.stdout.contains("promoted: "), retrain.stdout)
        XCTAssertTrue(retrain.stdout.contains("widened grid (the deployed model sat on its edge): logreg.C: + 1"), retrain.stdout)
        let promotions = try runner(["promotions", "--store", ".runner", "--json"])
        XCTAssertEqual(promotions.status, 0, promotions.stderr)
        let records = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(promotions.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(records.count, 1)
        let record = try XCTUnwrap(records.first)
        XCTAssertEqual(record["promoted"] as? Bool, true)
        XCTAssertEqual(record["metric"] as? String, "accuracy")
        XCTAssertGreaterThan(record["challengerScore"] as? Double ?? 0, (record["championScore"] as? Double ?? 1) + 0.2)
        let runs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try runner(["runs", "--store", ".runner", "--json"]).stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(runs.count, 2, "the retraining is a run like any other")
        let challenger = try XCTUnwrap(record["bundlePath"] as? String)
        // The promoted model predicts the new rows well (its own profile now spans grams and
        // kilograms, so kilograms alone still read as drift against it).
        let after = try runner(["monitor", challenger, "--data", swapped, "--json"])
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any], after.stderr)
        let accuracy = try XCTUnwrap((report["performance"] as? [[String: Any]])?.first { $0["metric"] as? String == "accuracy" })
        XCTAssertGreaterThan(accuracy["current"] as? Double ?? 0, 0.9)
    }

    func testServerLogsAreReadBack() throws {
        let logs = folder.appendingPathComponent("logs").path
        let server = try ServeProcess([bundle, "--log-predictions", logs], in: folder)
        try server.waitUntilLoaded(1)
        var request = URLRequest(url: URL(string: "\(server.url)/v1/models/penguins/predict")!)
        request.httpMethod = "POST"
        request.setValue("text/csv", forHTTPHeaderField: "Content-Type")
        request.setValue("batch-1", forHTTPHeaderField: "X-Request-Id")
        request.httpBody = try Data(contentsOf: folder.appendingPathComponent("data/penguins.csv"))
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var status = 0
        URLSession.shared.dataTask(with: request) { _, response, _ in
            status = (response as? HTTPURLResponse)?.statusCode ?? 0
            done.signal()
        }.resume()
        done.wait()
        XCTAssertEqual(status, 200)
        XCTAssertEqual(server.stop(), 0, "a graceful stop writes the log out")
        var labels = ["request_id,row,species"]
        let text = try String(contentsOf: folder.appendingPathComponent("data/penguins.csv"), encoding: .utf8)
        for (index, line) in text.split(separator: "\n").dropFirst().enumerated() {
            labels.append("batch-1,\(index + 1),\(line.split(separator: ",", omittingEmptySubsequences: false).last!)")
        }
        try (labels.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("labels.csv"), atomically: true, encoding: .utf8)
        let checked = try runner(["monitor", bundle, "--logs", logs, "--labels", "labels.csv", "--window", "1h", "--json"])
        XCTAssertEqual(checked.status, 0, checked.stdout + checked.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(checked.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["rows"] as? Int, 344)
        let accuracy = try XCTUnwrap((report["performance"] as? [[String: Any]])?.first { $0["metric"] as? String == "accuracy" })
        XCTAssertGreaterThan(accuracy["current"] as? Double ?? 0, 0.9)
    }

    func testRefusalsAndAlertingFiles() throws {
        // A format 1 bundle: no profile.
        var (old, _) = try ModelBundle.read(path: bundle)
        old.profile = nil
        old.manifest.format = 1
        try old.encoded().write(to: folder.appendingPathComponent("old.bundle"))
        let noProfile = try runner(["monitor", "old.bundle", "--data", "data/penguins.csv"])
        XCTAssertEqual(noProfile.status, 3)
        XCTAssertTrue(noProfile.stderr.contains("old.bundle has no training profile (bundle format 1, made before monitoring)"), noProfile.stderr)
        XCTAssertEqual(try runner(["predict", "old.bundle", "data/penguins.csv"]).status, 0, "format 1 bundles still predict")

        let logs = folder.appendingPathComponent("other-logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try #"{"time":"2026-01-01T00:00:00.000Z","sha256":"aaaabbbbccccdddd","request_id":"x","row":1,"inputs":{},"output":"Adelie"}"#
            .write(to: logs.appendingPathComponent("predictions.jsonl"), atomically: true, encoding: .utf8)
        let otherModel = try runner(["monitor", bundle, "--logs", logs.path])
        XCTAssertEqual(otherModel.status, 3)
        XCTAssertTrue(otherModel.stderr.contains("are from another bundle (sha256 aaaabbbbcccc…"), otherModel.stderr)
        XCTAssertEqual(try runner(["monitor", bundle]).status, 64, "neither --data nor --logs")
        XCTAssertEqual(try runner(["monitor", bundle, "--data", "data/penguins.csv", "--window", "1h"]).status, 64)
        XCTAssertEqual(try runner(["monitor", bundle, "--emit", "nagios"]).status, 64)
        let missing = try runner(["monitor", bundle, "--data", "nowhere.csv"])
        XCTAssertEqual(missing.status, 3)
        XCTAssertTrue(missing.stderr.contains("nowhere.csv"), missing.stderr)

        let emitted = try runner(["monitor", bundle, "--emit", "gcp", "--out", "wiring", "--scrape", "10.0.0.5:9000"])
        XCTAssertEqual(emitted.status, 0, emitted.stderr)
        let agent = try String(contentsOf: folder.appendingPathComponent("wiring/ops-agent.yaml"), encoding: .utf8)
        XCTAssertTrue(agent.contains(#"targets: ["10.0.0.5:9000"]"#), agent)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("wiring/gcp-alerts.sh").path))
        XCTAssertTrue(emitted.stdout.contains("./gcp-alerts.sh"), emitted.stdout)
    }
}
