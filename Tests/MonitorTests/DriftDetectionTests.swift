import Foundation
import XCTest
@testable import Monitor
import Learn
import Packaging
import Tabular

/// Drift detection on real data (the repository's examples): one column shifted (scaled,
/// offset, a category's share changed) alerts on that column only; fresh random samples from
/// the same data rarely alert. Titanic's training split (1,047 rows) is past the 1,000-row
/// limit, so distances decide there; penguins' (275 rows) is under it, so tests decide.
final class DriftDetectionTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Dataset {
        var table: Table
        var target: String
        var profile: ReferenceProfile
    }

    /// The data without its target; 80% of rows (seeded) profiled as the training split.
    static func dataset(_ file: String, target: String, settings: DriftSettings = DriftSettings()) throws -> Dataset {
        let table = try FileSource(path: repository.appendingPathComponent("experiments/data/\(file)").path).read(options: ReadOptions())
        var generator = SeededGenerator(seed: 7)
        let training = Array(Array(0..<table.rowCount).shuffled(using: &generator).prefix(table.rowCount * 4 / 5)).sorted()
        let features = table.dropping(columns: [target])
        let schema = InputSchema(training: features.taking(rows: training), columns: features.columnNames)
        let labels = try Target.encode(table[target]!, task: .classification)
        guard case .classes(let codes, let classes) = labels else { throw XCTSkip("not a classification target") }
        let profile = try Profiler.reference(training: features.taking(rows: training), schema: schema,
                                             prediction: .classes(labels: training.map { codes[$0] }, probabilities: nil), classes: classes,
                                             target: table[target]!.taking(rows: training), task: .classification, settings: settings)
        return Dataset(table: features, target: target, profile: profile)
    }

    /// `table` with one column's values replaced.
    static func replacing(_ table: Table, _ name: String, with column: Column) throws -> Table {
        try Table(columns: table.columns.map { $0.name == name ? column : $0 })
    }

    private func alerts(_ report: DriftReport) -> [String] { report.columns.filter(\.drift).map(\.name) }

    func testShiftedColumnsAlertOnlyThemselvesOnTitanic() throws {
        let data = try Self.dataset("titanic.csv", target: "survived")
        XCTAssertGreaterThan(data.profile.rows, NumericSummary.pointLimit, "titanic's reference is past the test limit: distances decide")
        let unchanged = DriftAnalysis.analyze(data.profile, .init(table: data.table), model: "titanic")
        XCTAssertEqual(alerts(unchanged), [])
        XCTAssertEqual(unchanged.status, .ok, unchanged.text)

        let age = data.table["age"]!.numericValues!
        let scaled = try Self.replacing(data.table, "age", with: Column(name: "age", numeric: age.map { $0 * 1.5 }))
        var report = DriftAnalysis.analyze(data.profile, .init(table: scaled), model: "titanic")
        XCTAssertEqual(alerts(report), ["age"], report.text)
        XCTAssertEqual(report.columns.first { $0.name == "age" }?.test, "wasserstein")
        XCTAssertEqual(report.status, .alert)
        XCTAssertTrue(report.summary.contains("age (mean"), report.summary)

        let offset = try Self.replacing(data.table, "age", with: Column(name: "age", numeric: age.map { $0 + 8 }))
        report = DriftAnalysis.analyze(data.profile, .init(table: offset), model: "titanic")
        XCTAssertEqual(alerts(report), ["age"], report.text)

        // Two men in three become one in ten: sex's share of 'female' changes.
        let sex = data.table["sex"]!
        var generator = SeededGenerator(seed: 3)
        let changed = (0..<sex.count).map { row -> String? in
            sex.text(at: row) == "male" && Double.random(in: 0..<1, using: &generator) < 0.6 ? "female" : sex.text(at: row)
        }
        report = DriftAnalysis.analyze(data.profile, .init(table: try Self.replacing(data.table, "sex", with: Column(name: "sex", strings: changed))), model: "titanic")
        XCTAssertEqual(alerts(report), ["sex"], report.text)
        XCTAssertEqual(report.columns.first { $0.name == "sex" }?.test, "jensen_shannon")
    }

    func testShiftedColumnsAlertOnlyThemselvesOnPenguins() throws {
        let data = try Self.dataset("penguins.csv", target: "species")
        XCTAssertLessThanOrEqual(data.profile.rows, NumericSummary.pointLimit, "penguins' reference is small: tests decide")
        let mass = data.table["body_mass_g"]!.numericValues!
        var report = DriftAnalysis.analyze(data.profile, .init(table: try Self.replacing(data.table, "body_mass_g", with: Column(name: "body_mass_g", numeric: mass.map { $0 * 1.2 }))), model: "penguins")
        XCTAssertEqual(alerts(report), ["body_mass_g"], report.text)
        XCTAssertEqual(report.columns.first { $0.name == "body_mass_g" }?.test, "ks")
        let island = data.table["island"]!
        let moved = (0..<island.count).map { row in island.text(at: row) == "Dream" ? "Biscoe" : island.text(at: row) }
        report = DriftAnalysis.analyze(data.profile, .init(table: try Self.replacing(data.table, "island", with: Column(name: "island", strings: moved))), model: "penguins")
        XCTAssertEqual(alerts(report), ["island"], report.text)
        XCTAssertEqual(report.columns.first { $0.name == "island" }?.test, "chi_square")
    }

    /// 20 random samples (with replacement) of the same data: at most one may alert. Titanic's
    /// samples are the server's default window (1,000 rows): distances with Evidently's 0.1
    /// threshold are meant for batches that size (at 400 rows, sampling noise alone moves a
    /// normalized Wasserstein distance past 0.1 one time in five).
    func testFreshSamplesRarelyAlert() throws {
        for (file, target, size) in [("titanic.csv", "survived", 1000), ("penguins.csv", "species", 150)] {
            let data = try Self.dataset(file, target: target)
            var generator = SeededGenerator(seed: 11)
            var alerted: [String] = []
            for sample in 0..<20 {
                let rows = (0..<size).map { _ in Int.random(in: 0..<data.table.rowCount, using: &generator) }
                let report = DriftAnalysis.analyze(data.profile, .init(table: data.table.taking(rows: rows)), model: file)
                if report.status == .alert { alerted.append("sample \(sample): \(report.summary)") }
            }
            XCTAssertLessThanOrEqual(alerted.count, 1, "\(file): \(alerted.joined(separator: "\n"))")
        }
    }

    /// Warnings: missing values, out-of-range values and unseen categories, without a drift alert.
    func testWarningsNameWhatChanged() throws {
        let data = try Self.dataset("penguins.csv", target: "species")
        var flipper = data.table["flipper_length_mm"]!.numericValues!
        for row in stride(from: 0, to: flipper.count, by: 5) { flipper[row] = .nan }
        let island = data.table["island"]!
        let renamed = (0..<island.count).map { row in row % 40 == 0 ? "Anvers" : island.text(at: row) }
        var table = try Self.replacing(data.table, "flipper_length_mm", with: Column(name: "flipper_length_mm", numeric: flipper))
        table = try Self.replacing(table, "island", with: Column(name: "island", strings: renamed))
        let report = DriftAnalysis.analyze(data.profile, .init(table: table), model: "penguins")
        let flipperResult = try XCTUnwrap(report.columns.first { $0.name == "flipper_length_mm" })
        XCTAssertEqual(flipperResult.status, .warning, report.text)
        XCTAssertTrue(flipperResult.reasons.contains { $0.hasPrefix("missing") }, "\(flipperResult.reasons)")
        let islandResult = try XCTUnwrap(report.columns.first { $0.name == "island" })
        XCTAssertEqual(islandResult.unseenValues, ["Anvers"])
        XCTAssertTrue(islandResult.reasons.contains { $0.contains("never saw ('Anvers')") }, "\(islandResult.reasons)")
        XCTAssertEqual(report.status, .warning, report.text)
    }

    /// A column the model needs and the data lacks is an alert naming it.
    func testMissingColumnAlerts() throws {
        let data = try Self.dataset("penguins.csv", target: "species")
        let report = DriftAnalysis.analyze(data.profile, .init(table: data.table.dropping(columns: ["sex"])), model: "penguins")
        XCTAssertEqual(report.status, .alert)
        XCTAssertEqual(report.columns.first { $0.name == "sex" }?.reasons, ["the model needs column 'sex' and the data has none"])
    }

    /// The spec's choices: a per-column test and Bonferroni off.
    func testSettingsChooseTheTest() throws {
        var settings = DriftSettings()
        settings.columnMethods["age"] = .psi
        settings.bonferroni = false
        let data = try Self.dataset("titanic.csv", target: "survived", settings: settings)
        let report = DriftAnalysis.analyze(data.profile, .init(table: data.table), model: "titanic")
        XCTAssertEqual(report.columns.first { $0.name == "age" }?.test, "psi")
        let penguins = try Self.dataset("penguins.csv", target: "species", settings: settings)
        let small = DriftAnalysis.analyze(penguins.profile, .init(table: penguins.table), model: "penguins")
        XCTAssertEqual(small.columns.first { $0.test == "ks" }?.threshold, 0.05, "without Bonferroni every test uses p_value itself")
    }

    /// Prometheus text: one HELP/TYPE per name, labels escaped.
    func testExpositionFormat() throws {
        let data = try Self.dataset("penguins.csv", target: "species")
        var report = DriftAnalysis.analyze(data.profile, .init(table: data.table), model: "pen\"guins")
        report.performance = [MetricChange(metric: "accuracy", reference: 0.9, current: 0.8, worseBy: 0.11, status: .alert)]
        let text = DriftMetrics.exposition([report])
        XCTAssertEqual(text.components(separatedBy: "# TYPE runner_feature_drift gauge").count, 2)
        XCTAssertTrue(text.contains(#"runner_feature_drift_detected{model="pen\"guins",feature="island"} 0.0"#), text)
        XCTAssertTrue(text.contains(#"runner_model_metric{model="pen\"guins",metric="accuracy",source="test"} 0.9"#), text)
        XCTAssertTrue(text.contains(#"runner_drift_status{model="pen\"guins"} 0.0"#), text)
    }
}
