import Foundation
import FuzzKit
import XCTest

/// Every case the fuzzer ever failed on (`Tests/Fixtures/fuzz/cases/`), replayed against the
/// built runner with the fuzzer's own rules; and a short seeded campaign, so the mutators
/// and the rules themselves keep working.
final class FuzzCorpusTests: XCTestCase {
    private var runner: ChildProcess {
        // The limit only tells a hang from a result: far above any case's time on a busy machine.
        get throws { ChildProcess(executable: try RunnerProcess.executable().path, timeLimit: 600) }
    }

    func testEveryCorpusCasePasses() throws {
        let folder = RunnerProcess.repository.appendingPathComponent("Tests/Fixtures/fuzz/cases").path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertGreaterThan(names.count, 0, "the corpus holds the past failures")
        for name in names {
            let fuzzCase = try FuzzCase.read(from: folder + "/" + name)
            XCTAssertFalse(fuzzCase.commands.isEmpty, name)
            for failure in try fuzzCase.replay(with: try runner) {
                XCTFail("\(name): \(failure)\n\(failure.stderr)")
            }
        }
    }

    /// The rules catch what they must: a crash, an undocumented exit code, a raw library error,
    /// a spec error without a position, NaN in the output.
    func testTheRulesCatchEachKindOfFailure() {
        func outcome(_ status: Int32, signal: Int32? = nil, stdout: String = "", stderr: String = "") -> ChildProcess.Outcome {
            ChildProcess.Outcome(status: status, signal: signal, timedOut: false, stdout: stdout, stderr: stderr)
        }
        let validate = FuzzCase.Command(["validate", "exp.yaml"], specFile: "exp.yaml")
        let predict = FuzzCase.Command(["predict", "b", "d"], finiteOutput: true)
        XCTAssertNil(Oracle.judge(validate, outcome(2, stderr: "exp.yaml:3:4: error: unknown key\nexp.yaml: 1 error\n")))
        XCTAssertNotNil(Oracle.judge(validate, outcome(2, stderr: "exp.yaml: error: the spec is not valid UTF-8 text\n")))
        XCTAssertNotNil(Oracle.judge(validate, outcome(-1, signal: 4)))
        XCTAssertNotNil(Oracle.judge(validate, outcome(134)))
        XCTAssertNotNil(Oracle.judge(validate, outcome(1, stderr: "error: cannot open (SQLite error 26: file is not a database)\n")))
        XCTAssertNotNil(Oracle.judge(validate, ChildProcess.Outcome(status: -1, signal: nil, timedOut: true, stdout: "", stderr: "")))
        XCTAssertNil(Oracle.judge(predict, outcome(0, stdout: "prediction,proba_a\na,0.5\n")))
        XCTAssertNotNil(Oracle.judge(predict, outcome(0, stdout: "prediction,proba_a\na,-nan\n")))
        XCTAssertNil(Oracle.judge(predict, outcome(1, stdout: "nan")), "only a successful result must be finite")
        XCTAssertNil(Oracle.judge(predict, outcome(0, stdout: "prediction\ninf\nnan\n")), "class labels are names, not numbers")
        XCTAssertNotNil(Oracle.judge(predict, outcome(0, stdout: "prediction\n1.5\ninf\n")))
        let run = FuzzCase.Command(["run", "exp.yaml", "--json"], specFile: "exp.yaml", finiteOutput: true)
        XCTAssertNil(Oracle.judge(run, outcome(0, stdout: #"{"candidates": [{"model": "inf", "params": {"C": "nan"}, "metrics": {"r2": {"mean": 0.5}}}]}"#)))
        XCTAssertNotNil(Oracle.judge(run, outcome(0, stdout: #"{"candidates": [{"model": "a", "metrics": {"r2": {"mean": "nan"}}}]}"#)))
    }

    /// A few dozen seeded mutants of each kind, as CI's longer pass runs thousands.
    func testAShortCampaignFindsNothing() throws {
        let failures = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-failures-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: failures) }
        let settings = Campaign.Settings(
            seed: 20261205, counts: [.spec: 24, .data: 12, .bundle: 24], jobs: 2,
            seedsFolder: RunnerProcess.repository.appendingPathComponent("Tests/Fixtures/fuzz/seeds").path, failuresFolder: failures)
        let campaign = try Campaign(settings: settings, runner: try runner)
        let first = campaign.generate(.spec, index: 3), again = campaign.generate(.spec, index: 3)
        XCTAssertEqual(first.files, again.files, "a case regenerates from the seed and its index")
        let report = campaign.run()
        XCTAssertEqual(report.cases[.spec], 24)
        for (fuzzCase, found) in report.failures {
            XCTFail("\(fuzzCase.name) (\(fuzzCase.mutations.joined(separator: "; "))): \(found.map(\.description).joined(separator: "; "))")
        }
    }
}
