import Foundation
import XCTest

/// `runner report` on every shipped example, rendered in headless Chromium
/// (scripts/check_report.py): no console or load error, every chart's SVG has a size, the
/// page fits a phone, screenshots (desktop light, phone dark) are not blank, the HTML is
/// self-contained and under 1 MB. RUNNER_REQUIRE_BROWSER=1 (CI) makes a missing Chromium a
/// failure instead of a skip.
final class ReportCommandTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let experiments = RunnerProcess.repository.appendingPathComponent("experiments")
        try FileManager.default.copyItem(at: experiments.appendingPathComponent("data"), to: folder.appendingPathComponent("data"))
        for spec in ["penguins.yaml", "cars.yaml", "titanic.json"] {
            try FileManager.default.copyItem(at: experiments.appendingPathComponent(spec), to: folder.appendingPathComponent(spec))
        }
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("schemas"))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func chromium() throws -> String {
        for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        let message = "headless Chromium is not installed (apt-get install chromium)"
        if ProcessInfo.processInfo.environment["RUNNER_REQUIRE_BROWSER"] == "1" { XCTFail(message) }
        throw XCTSkip(message)
    }

    func testEveryExampleReportRendersInChromium() throws {
        let browser = try chromium()
        var reports: [String] = []
        for (spec, name) in [("penguins.yaml", "penguins"), ("cars.yaml", "cars"), ("titanic.json", "titanic")] {
            let run = try RunnerProcess.run(["run", spec, "--quiet", "--report"], in: folder)
            XCTAssertEqual(run.status, 0, run.stderr)
            let path = folder.appendingPathComponent("out/\(name)/report.html").path
            XCTAssertTrue(run.stdout.contains("report: "), run.stdout)
            let html = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(html.contains("<h2 id=\"leaderboard-heading\">Leaderboard</h2>"))
            XCTAssertTrue(html.contains("Permutation importance"))
            XCTAssertTrue(html.contains(name == "cars" ? "Predicted against actual" : "ROC curve"), name)
            reports.append(path)
        }
        // A recorded run reports the same way from the store (by id prefix).
        let runs = try RunnerProcess.run(["runs", "--json"], in: folder)
        let list = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
        let id = try XCTUnwrap(list.first?["id"] as? String)
        let byID = try RunnerProcess.run(["report", id, "--out", "by-id.html", "--store", ".runner"], in: folder)
        XCTAssertEqual(byID.status, 0, byID.stderr)
        reports.append(folder.appendingPathComponent("by-id.html").path)

        let screenshots = folder.appendingPathComponent("screenshots")
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        let python = try ReferencePython.interpreter(importing: ["json", "zlib"])
        let check = try ReferencePython.run(python, script: "check_report.py", in: "scripts", [browser, screenshots.path] + reports)
        print(check.stdout + check.stderr)
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.contains("\(reports.count) reports") && check.stdout.contains(", 0 problems"), check.stdout)
    }

    func testReportOfAnUnknownRunFails() throws {
        let outcome = try RunnerProcess.run(["report", "no-such-run", "--store", folder.appendingPathComponent("store").path], in: folder)
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("no runner store"), outcome.stderr)
    }
}
