import Foundation
import XCTest

/// Runs the built `runner` executable as a user would and checks output and exit codes.
final class CommandLineTests: XCTestCase {
    private func runner(_ arguments: String..., in directory: URL = RunnerProcess.repository) throws -> RunnerProcess.Outcome {
        try RunnerProcess.run(arguments, in: directory)
    }

    func testValidateExamplesExitZero() throws {
        for spec in ["experiments/penguins.yaml", "experiments/cars.yaml", "experiments/titanic.json"] {
            let result = try runner("validate", spec)
            XCTAssertEqual(result.status, 0, "\(spec): \(result.stderr)")
            XCTAssertTrue(result.stdout.hasPrefix("\(spec): valid"), result.stdout)
        }
    }

    func testMisspelledKeyExitsTwoWithLocationAndSuggestion() throws {
        let spec = "Tests/SpecTests/Fixtures/invalid/misspelled-top-key.yaml"
        let result = try runner("validate", spec)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("\(spec):8:1: error: unknown key 'modles' (did you mean 'models'?)"), result.stderr)
        XCTAssertTrue(result.stdout.isEmpty, "errors go to stderr only")
    }

    func testYAMLSyntaxErrorExitsTwo() throws {
        let result = try runner("validate", "Tests/SpecTests/Fixtures/invalid/yaml-syntax.yaml")
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("yaml-syntax.yaml:6:7: error: YAML syntax error"), result.stderr)
    }

    func testMissingSpecFile() throws {
        let result = try runner("validate", "no-such.yaml")
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("no-such.yaml: error: no such file"), result.stderr)
    }

    func testInspectPrintsATableAndJSON() throws {
        let table = try runner("inspect", "experiments/data/penguins.csv")
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.hasPrefix("experiments/data/penguins.csv: 344 rows, 8 columns"), table.stdout)
        XCTAssertTrue(table.stdout.contains("bill_length_mm     numeric            2"), table.stdout)
        let json = try runner("inspect", "--json", "experiments/data/penguins.csv")
        XCTAssertEqual(json.status, 0)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let summary = try XCTUnwrap(decoded?["summary"] as? [String: Any])
        XCTAssertEqual(summary["rows"] as? Int, 344)
        let columns = try XCTUnwrap(summary["columns"] as? [[String: Any]])
        XCTAssertEqual(columns.first { $0["name"] as? String == "sex" }?["missing"] as? Int, 11)
    }

    func testInspectBadDataExitsOneWithLocation() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "a,b\n1,2\n3\n".write(to: folder.appendingPathComponent("ragged.csv"), atomically: true, encoding: .utf8)
        let result = try runner("inspect", "ragged.csv", in: folder)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "ragged.csv:3:2: error: row has 1 field but the header has 2\n")
        let missing = try runner("inspect", "nothing.csv", in: folder)
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "nothing.csv: error: no such file\n")
    }

    /// Infinities and overflowing values: finite statistics where they exist, and JSON that
    /// encodes the rest as the documented strings instead of failing.
    func testInspectWithInfinitiesAndOverflowingValues() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "a,b\n1,1e308\ninf,1e308\n1e309,-1e308\n-inf,1e308\n".write(to: folder.appendingPathComponent("extreme.csv"), atomically: true, encoding: .utf8)
        let table = try runner("inspect", "extreme.csv", in: folder)
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertFalse(table.stdout.contains("-nan"), table.stdout)
        XCTAssertTrue(table.stdout.contains("b       numeric        0         2  5e+307  1e+308  -1e+308  1e+308  1e+308"), table.stdout)
        let json = try runner("inspect", "--json", "extreme.csv", in: folder)
        XCTAssertEqual(json.status, 0, json.stderr)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let columns = try XCTUnwrap((decoded?["summary"] as? [String: Any])?["columns"] as? [[String: Any]])
        XCTAssertEqual(columns[0]["max"] as? String, "inf")
        XCTAssertEqual(columns[0]["min"] as? String, "-inf")
        XCTAssertEqual(columns[0]["mean"] as? String, "nan")
        XCTAssertEqual(columns[1]["mean"] as? Double, 5e307)
    }

    func testVersionHelpAndUsageErrors() throws {
        let version = try runner("--version")
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
        for command in ["validate", "inspect"] {
            let help = try runner(command, "--help")
            XCTAssertEqual(help.status, 0)
            XCTAssertTrue(help.stdout.contains("USAGE: runner \(command)"), help.stdout)
        }
        let usage = try runner("inspect")
        XCTAssertEqual(usage.status, 64, "usage errors exit 64 (EX_USAGE)")
        let completions = try runner("--generate-completion-script", "bash")
        XCTAssertEqual(completions.status, 0)
        XCTAssertTrue(completions.stdout.contains("_runner"))
    }
}
