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
