import Foundation
import XCTest

/// `runner run --shard I/N`: processes computing disjoint shares of the cross-validation fits
/// on one store, then a gathering run whose results and lock are identical to one unsharded
/// run; a missing shard is computed by the gathering run; `--shard auto` reads the CI
/// system's variables.
final class ShardCommandTests: XCTestCase {
    private var sharded: URL!
    private var single: URL!

    private static let spec = """
        version: 1
        name: shards
        seed: 4
        data: {source: data/penguins.csv, target: species, drop: [year]}
        preprocess:
          - impute: {columns: numeric, strategy: mean}
          - impute: {columns: categorical, strategy: most_frequent}
          - one_hot: {columns: categorical, handle_unknown: ignore}
          - scale: {columns: numeric, method: standard}
        models:
          - {name: logreg, type: logistic_regression, params: {max_iter: 300}, grid: {C: [0.01, 0.1, 1, 10]}}
          - {name: forest, type: random_forest, params: {n_estimators: 20}, grid: {max_depth: [3, 6]}}
        search: {cv: 3}
        """

    override func setUpWithError() throws {
        sharded = try RunnerProcess.experimentFolder(spec: Self.spec)
        single = try RunnerProcess.experimentFolder(spec: Self.spec)
    }

    override func tearDown() {
        for folder in [sharded, single].compactMap({ $0 }) { try? FileManager.default.removeItem(at: folder) }
    }

    private func shardJSON(_ outcome: RunnerProcess.Outcome) throws -> [String: Any] {
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], outcome.stdout)
    }

    /// Starts the shards at once (one store) and returns each one's fits.
    private func runShards(_ shards: [String], in folder: URL) throws -> [String: [String]] {
        let processes = try shards.map { shard in
            try RunnerProcess.make(["run", "exp.yaml", "--shard", shard, "--json", "--quiet", "-j", "1"], in: folder)
        }
        let pipes = processes.map { process -> Pipe in
            let pipe = Pipe()
            process.standardOutput = pipe
            return pipe
        }
        for process in processes { try process.run() }
        var fits: [String: [String]] = [:]
        for (index, process) in processes.enumerated() {
            let output = pipes[index].fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, shards[index])
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: output) as? [String: Any])
            XCTAssertEqual(object["shard"] as? String, shards[index])
            XCTAssertEqual(object["totalFits"] as? Int, 18)
            fits[shards[index]] = try XCTUnwrap(object["fits"] as? [String])
        }
        return fits
    }

    func testThreeShardsThenAGatherEqualOneUnshardedRun() throws {
        let fits = try runShards(["1/3", "2/3", "3/3"], in: sharded)
        let all = fits.values.flatMap { $0 }
        XCTAssertEqual(all.count, 18, "every fit in exactly one shard")
        XCTAssertEqual(Set(all).count, 18)
        for shard in fits.values { XCTAssertTrue((5...7).contains(shard.count), "balanced: \(fits.mapValues(\.count))") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: sharded.appendingPathComponent("exp.lock").path), "a shard writes no lock")

        let gathered = try RunnerProcess.run(["run", "exp.yaml", "--json", "--quiet"], in: sharded)
        XCTAssertEqual(gathered.status, 0, gathered.stderr)
        let results = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(gathered.stdout.utf8)) as? [String: Any])
        let stages = try XCTUnwrap(results["stages"] as? [[String: Any]])
        XCTAssertEqual(stages.filter { $0["kind"] as? String == "fit" && $0["cached"] as? Bool == false }.count, 0, "the gather finds every fit cached")

        let unsharded = try RunnerProcess.run(["run", "exp.yaml", "--json", "--quiet"], in: single)
        XCTAssertEqual(unsharded.status, 0, unsharded.stderr)
        XCTAssertEqual(try Data(contentsOf: sharded.appendingPathComponent("exp.lock")), try Data(contentsOf: single.appendingPathComponent("exp.lock")),
                       "the lock is byte for byte the unsharded run's")
        let other = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(unsharded.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(results["best"] as? NSDictionary, other["best"] as? NSDictionary)
        XCTAssertEqual(results["artifacts"] as? NSDictionary, other["artifacts"] as? NSDictionary)
        XCTAssertNotNil(results["artifacts"] as? NSDictionary)
    }

    func testAMissingShardIsComputedByTheGatherAndAutoReadsTheCISystem() throws {
        let fits = try runShards(["1/3", "3/3"], in: sharded)
        let gathered = try RunnerProcess.run(["run", "exp.yaml", "--json", "--quiet"], in: sharded)
        XCTAssertEqual(gathered.status, 0, gathered.stderr)
        let stages = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(gathered.stdout.utf8)) as? [String: Any])?["stages"] as? [[String: Any]])
        let computed = Set(stages.filter { $0["kind"] as? String == "fit" && $0["cached"] as? Bool == false }.compactMap { $0["name"] as? String })
        XCTAssertEqual(computed.count, 18 - fits.values.flatMap { $0 }.count, "the gather computed shard 2's fits itself")
        XCTAssertTrue(computed.isDisjoint(with: Set(fits.values.flatMap { $0 })))
        XCTAssertEqual(try RunnerProcess.run(["run", "exp.yaml", "--quiet"], in: single).status, 0)
        XCTAssertEqual(try Data(contentsOf: sharded.appendingPathComponent("exp.lock")), try Data(contentsOf: single.appendingPathComponent("exp.lock")))

        // auto: GitLab's parallel variables, a Kubernetes Indexed Job's index, RUNNER_SHARD; the
        // same share as the explicit shard.
        let explicit = try shardJSON(RunnerProcess.run(["run", "exp.yaml", "--shard", "2/3", "--json", "--quiet"], in: single))
        for environment in [["CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"], ["JOB_COMPLETION_INDEX": "1", "RUNNER_SHARD_TOTAL": "3"], ["RUNNER_SHARD": "2/3"]] {
            let auto = try shardJSON(RunnerProcess.run(["run", "exp.yaml", "--shard", "auto", "--json", "--quiet"], in: single, environment: environment))
            XCTAssertEqual(auto["shard"] as? String, "2/3", "\(environment)")
            XCTAssertEqual(auto["fits"] as? [String], explicit["fits"] as? [String], "\(environment)")
            XCTAssertEqual(auto["computed"] as? Int, 0, "all cached by now")
        }
    }

    func testBadShardsAreRefused() throws {
        for (arguments, message) in [(["--shard", "0/3"], "--shard must be I/N with 1 <= I <= N"), (["--shard", "4/3"], "--shard must be I/N"),
                                     (["--shard", "two"], "--shard must be I/N"), (["--shard", "1/2", "--junit", "j.xml"], "--shard computes fits only")] {
            let outcome = try RunnerProcess.run(["run", "exp.yaml"] + arguments, in: single)
            XCTAssertEqual(outcome.status, 64, arguments.joined(separator: " "))
            XCTAssertTrue(outcome.stderr.contains(message), outcome.stderr)
        }
        var environment = ProcessInfo.processInfo.environment.filter { !["RUNNER_SHARD", "CI_NODE_INDEX", "CI_NODE_TOTAL", "JOB_COMPLETION_INDEX"].contains($0.key) }
        environment["CI_NODE_INDEX"] = "5"
        environment["CI_NODE_TOTAL"] = "3"
        let bad = try RunnerProcess.run(["run", "exp.yaml", "--shard", "auto"], in: single, environment: environment)
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("CI_NODE_INDEX=5 CI_NODE_TOTAL=3 is not a shard"), bad.stderr)
        environment["CI_NODE_INDEX"] = nil
        environment["CI_NODE_TOTAL"] = nil
        let none = try RunnerProcess.run(["run", "exp.yaml", "--shard", "auto"], in: single, environment: environment)
        XCTAssertEqual(none.status, 64)
        XCTAssertTrue(none.stderr.contains("--shard auto found no shard in the environment"), none.stderr)
    }
}
