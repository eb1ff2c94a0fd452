import Foundation
import XCTest
@testable import Monitor
import Learn
import Packaging
import Tabular

/// `runner monitor`'s check as a library: data files with and without labels, prediction
/// logs with a window and labels joined by request id, and every input it must refuse with a
/// message (no profile, another model's logs, labels that join nothing).
final class BundleCheckTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-monitor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    static let penguinsCSV = DriftDetectionTests.repository.appendingPathComponent("experiments/data/penguins.csv").path

    /// A penguins classifier with its profile; its "test" accuracy is its accuracy on all rows.
    static func penguinsBundle(profiled: Bool = true, ignoreUnknown: Bool = true) throws -> (ModelBundle, Table) {
        let table = try FileSource(path: penguinsCSV).read(options: ReadOptions())
        let features = table.dropping(columns: ["species", "year"])
        let target = try Target.encode(table["species"]!, task: .classification)
        let steps: [PreprocessingConfig] = [
            .impute(columns: .numeric, strategy: .median, fillValue: nil),
            .impute(columns: .categorical, strategy: .mostFrequent, fillValue: nil),
            .oneHot(columns: .categorical, ignoreUnknown: ignoreUnknown, drop: .none),
            .scale(columns: .numeric, method: .standard),
        ]
        let pipeline = try PipelineConfig(steps: steps, model: ModelConfig(LogisticRegressionConfig())).fit(features, target)
        let prediction = try pipeline.predict(features)
        let accuracy = try Scoring.score(.accuracy, truth: target, prediction: prediction)
        let schema = InputSchema(training: features, columns: pipeline.inputColumns)
        let manifest = BundleManifest(format: BundleManifest.currentFormat, runnerVersion: "test", task: .classification, target: "species",
                                      classes: pipeline.classes, modelType: "logistic_regression", modelName: "logreg", params: [:],
                                      preprocessing: pipeline.steps.map(\.kindName), inputSchema: schema, metrics: ["test": ["accuracy": accuracy]],
                                      provenance: .init(experiment: "penguins", specDigest: "s", dataDigest: "d", artifacts: [:], modelDigest: "m"))
        let profile = profiled ? try Profiler.reference(training: features, schema: schema, prediction: prediction, classes: pipeline.classes,
                                                        target: table["species"]!, task: .classification, settings: DriftSettings()) : nil
        return (ModelBundle(manifest: manifest, pipeline: pipeline, profile: profile), table)
    }

    private func write(_ text: String, _ name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testLabelsThatDisagreeOnAFifthOfRowsAlert() throws {
        let (bundle, table) = try Self.penguinsBundle()
        // The file as it is: healthy, metrics as in the manifest.
        var (report, labelled) = try BundleCheck.run(bundle, bundlePath: "m.bundle", digest: "d", rows: .file(Self.penguinsCSV), labelsPath: nil)
        XCTAssertEqual(report.status, .ok, report.text)
        XCTAssertEqual(report.performance.first { $0.metric == "accuracy" }?.worseBy ?? 1, 0, accuracy: 1e-12)
        XCTAssertEqual(labelled?.rowCount, table.rowCount)
        // A separate labels file where every fifth row names another species.
        let species = table["species"]!
        let classes = ["Adelie", "Chinstrap", "Gentoo"]
        var lines = ["species"]
        for row in 0..<table.rowCount {
            let truth = species.text(at: row)!
            lines.append(row % 5 == 0 ? classes[(classes.firstIndex(of: truth)! + 1) % 3] : truth)
        }
        let labels = try write(lines.joined(separator: "\n") + "\n", "labels.csv")
        let inputs = try write(CSVWriter.text(table.dropping(columns: ["species"])), "inputs.csv")
        (report, labelled) = try BundleCheck.run(bundle, bundlePath: "m.bundle", digest: "d", rows: .file(inputs), labelsPath: labels)
        let accuracy = try XCTUnwrap(report.performance.first { $0.metric == "accuracy" })
        XCTAssertGreaterThan(accuracy.worseBy ?? 0, 0.15, report.text)
        XCTAssertEqual(accuracy.status, .alert)
        XCTAssertEqual(report.status, .alert)
        XCTAssertTrue(report.summary.contains("accuracy"), report.summary)
        XCTAssertEqual(labelled?.columnNames.last, "species")
    }

    func testLogsWithAWindowAndLabelsJoinedByRequest() throws {
        let (bundle, table) = try Self.penguinsBundle()
        let logs = folder.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let now = Date()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var lines: [String] = [], labels = ["request_id,row,species"]
        for row in 0..<table.rowCount {
            var inputs: [String: Any] = [:]
            for field in bundle.manifest.inputSchema.fields {
                let column = table[field.name]!
                if let text = column.text(at: row) { inputs[field.name] = field.kind == .categorical ? text : Double(text)! as Any } else { inputs[field.name] = NSNull() }
            }
            // The older half was logged two days ago; another bundle's rows are mixed in.
            let time = formatter.string(from: now.addingTimeInterval(row < table.rowCount / 2 ? -172_800 : -60))
            let record: [String: Any] = ["time": time, "model": "penguins", "version": "abc", "sha256": "digest", "request_id": "r\(row / 10)", "row": row % 10 + 1,
                                         "inputs": inputs, "output": table["species"]!.text(at: row)!]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self))
            if row % 7 == 0 { lines.append(#"{"sha256":"other","inputs":{}}"#) }
            labels.append("r\(row / 10),\(row % 10 + 1),\(table["species"]!.text(at: row)!)")
        }
        lines.append("{damaged")
        try (lines.joined(separator: "\n") + "\n").write(to: logs.appendingPathComponent("predictions.jsonl"), atomically: true, encoding: .utf8)
        let labelsPath = try write(labels.joined(separator: "\n") + "\n", "labels.csv")
        let (report, labelled) = try BundleCheck.run(bundle, bundlePath: "m.bundle", digest: "digest", rows: .logs(logs.path, window: .seconds(86_400)), labelsPath: labelsPath)
        XCTAssertEqual(report.rows, table.rowCount - table.rowCount / 2, "only the last day's rows")
        XCTAssertEqual(labelled?.rowCount, report.rows)
        XCTAssertEqual(report.performance.first { $0.metric == "accuracy" }?.current, 1, "the logged outputs are the labels")
        XCTAssertTrue(report.notes.contains { $0.contains("of other bundles left out") }, "\(report.notes)")
        XCTAssertTrue(report.notes.contains("1 damaged log lines skipped"), "\(report.notes)")
        let newest = try BundleCheck.run(bundle, bundlePath: "m.bundle", digest: "digest", rows: .logs(logs.path, window: .rows(50)), labelsPath: nil).report
        XCTAssertEqual(newest.rows, 50)
    }

    func testRefusalsSayWhy() throws {
        let (bundle, _) = try Self.penguinsBundle()
        let (unprofiled, _) = try Self.penguinsBundle(profiled: false)
        XCTAssertThrowsError(try BundleCheck.run(unprofiled, bundlePath: "old.bundle", digest: "d", rows: .file(Self.penguinsCSV), labelsPath: nil)) { error in
            XCTAssertEqual(error as? MonitorError, .noProfile(bundle: "old.bundle"))
            XCTAssertTrue("\(error)".contains("old.bundle has no training profile (bundle format 1"), "\(error)")
        }
        let logs = folder.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try #"{"time":"2026-01-01T00:00:00.000Z","sha256":"0123456789abcdef0123","request_id":"a","row":1,"inputs":{},"output":"Adelie"}"#
            .write(to: logs.appendingPathComponent("predictions.jsonl"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BundleCheck.run(bundle, bundlePath: "m.bundle", digest: "fedcba9876543210fedc", rows: .logs(logs.path, window: nil), labelsPath: nil)) { error in
            XCTAssertTrue("\(error)".contains("are from another bundle (sha256 0123456789ab…, 1 rows), not from this one (sha256 fedcba987654…)"), "\(error)")
        }
        let labels = try write("request_id,species\nnever,Adelie\n", "labels.csv")
        XCTAssertThrowsError(try BundleCheck.run(bundle, bundlePath: "m.bundle", digest: "0123456789abcdef0123", rows: .logs(logs.path, window: nil), labelsPath: labels)) { error in
            XCTAssertTrue("\(error)".contains("no row of \(labels) joins a logged prediction (by request_id)"), "\(error)")
        }
        let wrongTarget = try write("kind\nAdelie\n", "wrong.csv")
        XCTAssertThrowsError(try BundleCheck.run(bundle, bundlePath: "m.bundle", digest: "d", rows: .file(Self.penguinsCSV), labelsPath: wrongTarget)) { error in
            XCTAssertTrue("\(error)".contains("has no column 'species' (the model's target)"), "\(error)")
        }
        let short = try write("species\nAdelie\n", "short.csv")
        XCTAssertThrowsError(try BundleCheck.run(bundle, bundlePath: "m.bundle", digest: "d", rows: .file(Self.penguinsCSV), labelsPath: short)) { error in
            XCTAssertTrue("\(error)".contains("labels join data row by row"), "\(error)")
        }
        XCTAssertThrowsError(try MonitorWindow(parsing: "yesterday")) { error in
            XCTAssertTrue("\(error)".contains("--window must be a row count (1000) or a duration"), "\(error)")
        }
        XCTAssertEqual(try MonitorWindow(parsing: "30m"), .seconds(1800))
    }

    /// Rows the model refuses (a category its one-hot step does not take) have no prediction;
    /// the others keep theirs, and the note counts the refused ones.
    func testRowsTheModelRefusesAreCountedNotFatal() throws {
        let (bundle, table) = try Self.penguinsBundle(ignoreUnknown: false)
        let island = table["island"]!
        let unseen = [17, 200]
        let changed = (0..<island.count).map { unseen.contains($0) ? "Anvers" : island.text(at: $0) }
        let data = try Table(columns: table.columns.map { $0.name == "island" ? Column(name: "island", strings: changed) : $0 })
        let path = try write(CSVWriter.text(data), "unseen.csv")
        let (report, _) = try BundleCheck.run(bundle, bundlePath: "m.bundle", digest: "d", rows: .file(path), labelsPath: nil)
        XCTAssertTrue(report.notes.contains { $0.hasPrefix("the model refused 2 of 344 rows (first: ") }, "\(report.notes)")
        XCTAssertEqual(report.prediction?.rows, 344)
        XCTAssertEqual(report.performance.first { $0.metric == "accuracy" }.map { $0.current > 0.9 }, true, "the other rows are predicted and scored")
    }

    /// A format 1 bundle (no profile.json) still loads; format 2 round-trips its profile, and a
    /// signature covers it.
    func testBundleFormatTwoCarriesTheProfile() throws {
        let (bundle, _) = try Self.penguinsBundle()
        let decoded = try ModelBundle.decode(try bundle.encoded()).bundle
        XCTAssertEqual(decoded.profile, bundle.profile)
        var old = bundle
        old.profile = nil
        old.manifest.format = 1
        XCTAssertNil(try ModelBundle.decode(try old.encoded()).bundle.profile)
    }
}
