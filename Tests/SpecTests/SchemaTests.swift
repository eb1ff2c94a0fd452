import Foundation
import XCTest
import Spec

/// Runs scripts/check_schema.py (Python jsonschema): the schema accepts every example and
/// rejects every broken fixture. CI sets RUNNER_REQUIRE_PYTHON=1 so a missing tool fails
/// instead of skipping; RUNNER_PYTHON names the interpreter (default python3).
final class SchemaTests: XCTestCase {
    func testSchemaAgreesWithTheFixtures() throws {
        let environment = ProcessInfo.processInfo.environment
        let python = environment["RUNNER_PYTHON"] ?? "python3"
        let required = environment["RUNNER_REQUIRE_PYTHON"] == "1"
        let probe = run(python, ["-c", "import jsonschema, yaml"])
        if probe.status != 0 {
            if required { XCTFail("\(python) cannot import jsonschema and yaml: \(probe.output)") }
            throw XCTSkip("\(python) with jsonschema and PyYAML is not available; set RUNNER_PYTHON")
        }
        let script = TestPaths.repository.appendingPathComponent("scripts/check_schema.py").path
        let result = run(python, [script])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains(" passed, 0 failed"), result.output)
    }

    private func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// The schema the binary carries (`runner schema`, `runner init`) is the repository's, byte
/// for byte (scripts/embed-schema rewrites it).
final class EmbeddedSchemaTests: XCTestCase {
    func testEmbeddedSchemaIsTheRepositorysSchema() throws {
        let file = try String(contentsOf: TestPaths.repository.appendingPathComponent("schemas/experiment.schema.json"), encoding: .utf8)
        XCTAssertEqual(ExperimentSchemaText.json, file, "run scripts/embed-schema")
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(ExperimentSchemaText.json.utf8)))
    }
}
