import Foundation
import Packaging
import XCTest

/// `runner run`, `plan`, `status`, `verify`, `runs`, `show`, `fsck` and `gc` as a user runs
/// them, including several processes on one store and runs killed at random instants.
final class EngineCommandTests: XCTestCase {
    private var folder: URL!

    private static let spec = """
        version: 1
        name: small
        seed: 3
        data: {source: data/penguins.csv, target: species, drop: [year]}
        preprocess:
          - impute: {columns: numeric}
          - impute: {columns: categorical, strategy: most_frequent}
          - one_hot: {columns: categorical}
          - scale: {columns: numeric}
        models:
          - {name: logreg, type: logistic_regression, grid: {C: [0.1, 1]}}
          - {name: forest, type: random_forest, params: {n_estimators: 20}, grid: {max_depth: [3, null]}}
        search: {cv: 3}
        """

    override func setUpWithError() throws {
        folder = try RunnerProcess.experimentFolder(spec: Self.spec)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func runner(_ arguments: String...) throws -> RunnerProcess.Outcome {
        try RunnerProcess.run(arguments, in: folder)
    }

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func file(_ relative: String) -> String { folder.appendingPathComponent(relative).path }

    func testRunWritesResultsLockAndLeaderboardAndRerunsNothing() throws {
        let first = try runner("run", "exp.yaml")
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("rank  model"), first.stdout)
        XCTAssertTrue(first.stdout.contains("best: "), first.stdout)
        XCTAssertTrue(first.stdout.contains("20 stages (20 ran, 0 cached)"), first.stdout)
        let results = try json(String(contentsOfFile: file("out/small/results.json"), encoding: .utf8))
        for key in ["experiment", "task", "runID", "candidates", "best", "artifacts", "runnerVersion", "stages", "spec", "data"] {
            XCTAssertNotNil(results[key], key)
        }
        let candidates = try XCTUnwrap(results["candidates"] as? [[String: Any]])
        XCTAssertEqual(candidates.count, 4)
        let metrics = try XCTUnwrap(candidates[0]["metrics"] as? [String: [String: Any]])
        XCTAssertEqual((metrics["accuracy"]?["folds"] as? [Double])?.count, 3)
        XCTAssertNotNil(metrics["accuracy"]?["std"])
        XCTAssertEqual((candidates[0]["fitSeconds"] as? [Double])?.count, 3)
        let best = try XCTUnwrap(results["best"] as? [String: Any])
        XCTAssertNotNil((best["test"] as? [String: Any])?["metrics"])
        XCTAssertNotNil((results["artifacts"] as? [String: String])?["model"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: file("exp.lock")))

        let second = try runner("run", "exp.yaml", "--json")
        XCTAssertEqual(second.status, 0, second.stderr)
        let again = try json(second.stdout)
        XCTAssertEqual((again["stages"] as? [[String: Any]])?.allSatisfy { $0["cached"] as? Bool == true }, true)
        XCTAssertEqual(again["best"] as? NSDictionary, results["best"] as? NSDictionary)
    }

    func testProgressAsLogLinesAndJSON() throws {
        let plain = try runner("run", "exp.yaml")
        XCTAssertTrue(plain.stderr.contains("[1/20] load ("), "a line per computed stage when not on a terminal: \(plain.stderr)")
        try FileManager.default.removeItem(atPath: file(".runner"))
        let json = try runner("run", "exp.yaml", "--log-format", "json")
        XCTAssertEqual(json.status, 0, json.stderr)
        let events = try json.stderr.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
        XCTAssertEqual(events.first?["event"] as? String, "started")
        XCTAssertEqual(events.filter { $0["event"] as? String == "stage_finished" }.count, 20)
        XCTAssertTrue(events.allSatisfy { $0["elapsed"] is Double })
        let quiet = try runner("run", "exp.yaml", "--quiet")
        XCTAssertEqual(quiet.stderr, "", "--quiet prints nothing when all is well")
    }

    func testInterruptKeepsFinishedStagesAndExits130() throws {
        let heavy = Self.spec.replacingOccurrences(of: "n_estimators: 20}, grid: {max_depth: [3, null]}", with: "n_estimators: 100}, grid: {max_depth: [3, 6, null]}")
        try heavy.write(to: folder.appendingPathComponent("heavy.yaml"), atomically: true, encoding: .utf8)
        // Interrupt once the first stage has been computed: the run is then certainly under way.
        let run = try ProgressEvents(["run", "heavy.yaml", "-j", "1"], in: folder)
        XCTAssertNotNil(run.first { $0.event == "stage_finished" && $0["cached"] as? Bool == false }, "the run computed a stage")
        kill(run.process.processIdentifier, SIGINT)
        run.finish()
        let stderr = run.textLines.joined(separator: "\n")
        XCTAssertEqual(run.process.terminationStatus, 130, stderr)
        XCTAssertEqual(run.process.terminationReason, .exit, "a first Ctrl-C lets the run end by itself")
        XCTAssertTrue(stderr.contains("finished stages kept in the store; rerun to continue") || stderr.contains("finished stage kept"), stderr)
        XCTAssertEqual(try runner("fsck", "--store", ".runner").status, 0)
        let rerun = try runner("run", "heavy.yaml")
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertFalse(rerun.stdout.contains(" 0 cached)"), "the rerun reused the stages finished before the interrupt: \(rerun.stdout)")
    }

    func testPlanAndStatusExplainWhatWouldRerun() throws {
        var plan = try runner("plan", "exp.yaml")
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("never run (no lock yet)"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("runs after 'load'"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("package bundle"), "packaging is a stage of the plan: \(plan.stdout)")
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        XCTAssertTrue(try runner("status", "exp.yaml").stdout.contains("small: up to date (20 stages cached)"))
        try Self.spec.replacingOccurrences(of: "C: [0.1, 1]", with: "C: [0.1, 5]")
            .write(to: folder.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8)
        let status = try runner("status", "exp.yaml")
        XCTAssertTrue(status.stdout.contains("would run"), status.stdout)
        XCTAssertTrue(status.stdout.contains("new stage (not in the lock): fit logreg{C=5} fold 1/3"), status.stdout)
        XCTAssertTrue(status.stdout.contains("note: the spec changed since"), status.stdout)
        plan = try runner("plan", "exp.yaml", "--format", "json")
        let stages = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(stages.count, 20)
        let package = try XCTUnwrap(stages.first { $0["name"] as? String == "package bundle" })
        XCTAssertEqual(package["kind"] as? String, "package")
        XCTAssertEqual(package["inputs"] as? [String], ["load", "split", "select", "refit", "evaluate", "profile"])
        XCTAssertEqual(stages.filter { $0["state"] as? String == "cached" }.count, 11, "load, split and 9 unchanged fits")
        let dot = try runner("plan", "exp.yaml", "--format", "dot")
        XCTAssertTrue(dot.stdout.hasPrefix("digraph \"small\" {"), dot.stdout)
        XCTAssertTrue(dot.stdout.contains("s0 -> s1;"))
        XCTAssertEqual(try runner("plan", "exp.yaml", "--format", "svg").status, 64)
    }

    func testVerifyPassesOnAnUntouchedExperimentAndFailsOnAChangedLock() throws {
        XCTAssertEqual(try runner("verify", "exp.yaml").status, 1, "no lock yet")
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        let passed = try runner("verify", "exp.yaml", "--quiet")
        XCTAssertEqual(passed.status, 0, passed.stderr)
        XCTAssertTrue(passed.stdout.hasPrefix("verified: 20 stage keys and outputs"), passed.stdout)
        // Someone edits a metric in the lock: verification must catch it.
        let lockPath = file("exp.lock")
        let lock = try String(contentsOfFile: lockPath, encoding: .utf8)
        let edited = lock.replacingOccurrences(of: #""accuracy" : 0."#, with: #""accuracy" : 0.1"#)
        XCTAssertNotEqual(edited, lock)
        try edited.write(toFile: lockPath, atomically: true, encoding: .utf8)
        let failed = try runner("verify", "exp.yaml", "--quiet")
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stderr.contains("does not reproduce"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("accuracy: lock has 0.1"), failed.stderr)
        // A changed stage output is named too.
        let digest = try XCTUnwrap(lock.range(of: #""output" : ""#).map { String(lock[$0.upperBound...].prefix(64)) })
        try lock.replacingOccurrences(of: digest, with: String(repeating: "0", count: 64)).write(toFile: lockPath, atomically: true, encoding: .utf8)
        let changedOutput = try runner("verify", "exp.yaml", "--quiet")
        XCTAssertEqual(changedOutput.status, 1)
        XCTAssertTrue(changedOutput.stderr.contains("stage 'load' output: lock has 0000000000000000"), changedOutput.stderr)
        // A damaged lock is named as damaged, in our words (not "no lock yet", not Foundation's text).
        try "{\"lockVersion\": 1}".write(toFile: lockPath, atomically: true, encoding: .utf8)
        let broken = try runner("verify", "exp.yaml", "--quiet")
        XCTAssertEqual(broken.status, 1)
        XCTAssertEqual(broken.stderr, "error: exp.lock: not a valid lock file (the top level: 'runnerVersion' is missing); rerun `runner run` to rewrite it\n")
        try "garbage".write(toFile: lockPath, atomically: true, encoding: .utf8)
        let status = try runner("status", "exp.yaml")
        XCTAssertTrue(status.stdout.contains("note: exp.lock: not a valid lock file (not valid JSON)"), status.stdout)
        // The packaged bundle is a stage output like any other: the lock records it and verify checks it.
        let locked = try JSONSerialization.jsonObject(with: Data(lock.utf8)) as? [String: Any]
        let packaged = try XCTUnwrap((locked?["stages"] as? [[String: Any]])?.first { $0["name"] as? String == "package bundle" })
        let bundleDigest = try XCTUnwrap(packaged["output"] as? String)
        XCTAssertEqual(Hashing.sha256(try Data(contentsOf: URL(fileURLWithPath: file("out/small/model.bundle")))), bundleDigest, "the lock names the bundle's bytes")
        try lock.replacingOccurrences(of: bundleDigest, with: String(repeating: "1", count: 64)).write(toFile: lockPath, atomically: true, encoding: .utf8)
        let changedBundle = try runner("verify", "exp.yaml", "--quiet")
        XCTAssertEqual(changedBundle.status, 1)
        XCTAssertTrue(changedBundle.stderr.contains("stage 'package bundle' output: lock has 1111111111111111"), changedBundle.stderr)
    }

    func testRunsAndShowListPastRuns() throws {
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        let runs = try runner("runs", "--store", ".runner", "--json")
        XCTAssertEqual(runs.status, 0, runs.stderr)
        let list = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(list.count, 2)
        XCTAssertEqual(list[0]["cachedStages"] as? Int, 20, "newest first")
        let id = try XCTUnwrap(list[1]["id"] as? String)
        let show = try runner("show", String(id.prefix(24)), "--store", ".runner")
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.contains("run \(id) of small"), show.stdout)
        XCTAssertTrue(show.stdout.contains("rank  model"), show.stdout)
        let missing = try runner("show", "nope", "--store", ".runner")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no run 'nope'"), missing.stderr)
        XCTAssertEqual(try runner("runs", "--store", "nowhere").status, 1)
    }

    func testFsckReportsAFlippedByteAndRepairs() throws {
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        XCTAssertEqual(try runner("fsck", "--store", ".runner").stdout.split(separator: "\n").last, "ok")
        let objects = file(".runner/objects")
        let prefix = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: objects).sorted().first)
        let name = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: "\(objects)/\(prefix)").first)
        let path = "\(objects)/\(prefix)/\(name)"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[0] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let broken = try runner("fsck", "--store", ".runner")
        XCTAssertEqual(broken.status, 1)
        XCTAssertTrue(broken.stdout.contains("corrupted blob: \(prefix)\(name)"), broken.stdout)
        XCTAssertEqual(try runner("fsck", "--store", ".runner", "--repair").status, 0)
        XCTAssertEqual(try runner("fsck", "--store", ".runner").status, 0)
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        XCTAssertEqual(try runner("verify", "exp.yaml", "--quiet").status, 0)
    }

    /// What breaks runs must show in fsck, and --repair must leave a store a fresh check passes.
    func testFsckSeesTheLayoutStraysAndTheIndexAndRepairsThem() throws {
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        // A removed tmp folder: reported, and a run puts it back itself.
        try FileManager.default.removeItem(atPath: file(".runner/tmp"))
        let missing = try runner("fsck", "--store", ".runner")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stdout.contains("missing folder: tmp/"), missing.stdout)
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        XCTAssertEqual(try runner("fsck", "--store", ".runner").status, 0)
        // A stray file among the stage records: reported, and really removed by --repair.
        let prefix = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: file(".runner/stages")).sorted().first)
        try "not a record".write(toFile: file(".runner/stages/\(prefix)/stray.json"), atomically: true, encoding: .utf8)
        let stray = try runner("fsck", "--store", ".runner")
        XCTAssertEqual(stray.status, 1)
        XCTAssertTrue(stray.stdout.contains("damaged stage record: stages/\(prefix)/stray.json"), stray.stdout)
        let repaired = try runner("fsck", "--store", ".runner", "--repair")
        XCTAssertEqual(repaired.status, 0, repaired.stderr)
        XCTAssertTrue(repaired.stdout.contains("a fresh check finds nothing"), repaired.stdout)
        XCTAssertEqual(try runner("fsck", "--store", ".runner").status, 0)
        // A damaged run index: reported, and rebuilt from the results the store holds.
        try Data(repeating: 0x5A, count: 4096).write(to: URL(fileURLWithPath: file(".runner/index.sqlite")))
        let damaged = try runner("fsck", "--store", ".runner")
        XCTAssertEqual(damaged.status, 1)
        XCTAssertTrue(damaged.stdout.contains("run index: "), damaged.stdout)
        // A run refuses before doing any work, in our words, with the remedy.
        let lockBefore = try Data(contentsOf: folder.appendingPathComponent("exp.lock"))
        let blocked = try runner("run", "exp.yaml", "--quiet")
        XCTAssertEqual(blocked.status, 1)
        XCTAssertEqual(blocked.stderr, "error: cannot open the run index .runner/index.sqlite: the file is not a run index (damaged or overwritten); `runner fsck --repair --store .runner` rebuilds it from the stored runs\n")
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("exp.lock")), lockBefore)
        let rebuilt = try runner("fsck", "--store", ".runner", "--repair")
        XCTAssertEqual(rebuilt.status, 0, rebuilt.stderr)
        XCTAssertTrue(rebuilt.stdout.contains("run index rebuilt from the store: 2 runs found"), rebuilt.stdout)
        let runs = try runner("runs", "--store", ".runner", "--json")
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [Any])?.count, 2)
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
    }

    func testGcRemovesOnlyUnreferencedEntries() throws {
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        let gc = try runner("gc", "--store", ".runner", "--grace", "0")
        XCTAssertEqual(gc.status, 0, gc.stderr)
        XCTAssertTrue(gc.stdout.hasPrefix("removed 0 blobs"), gc.stdout)
        XCTAssertTrue(try runner("run", "exp.yaml").stdout.contains("(0 ran, 20 cached)"))
    }

    func testBadInputExitCodes() throws {
        let missing = try runner("run", "nothing.yaml")
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("nothing.yaml: error: no such file"), missing.stderr)
        try "version: 1\nmodles: []\n".write(to: folder.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let bad = try runner("run", "bad.yaml")
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("bad.yaml:2:1: error: unknown key 'modles' (did you mean 'models'?)"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file(".runner")), "an invalid spec writes nothing")
        XCTAssertEqual(try runner("run", "exp.yaml", "-j", "0").status, 64)
        try "runner-store 99\n".write(to: folder.appendingPathComponent("future-format"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("future"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: folder.appendingPathComponent("future-format"), to: folder.appendingPathComponent("future/format"))
        let future = try runner("run", "exp.yaml", "--store", "future")
        XCTAssertEqual(future.status, 1)
        XCTAssertTrue(future.stderr.contains("written by a newer runner (store format 99"), future.stderr)
    }

    /// Four processes, two specs, one store: no lock errors, identical results per spec.
    func testConcurrentRunsShareOneStore() throws {
        let other = Self.spec.replacingOccurrences(of: "name: small", with: "name: other").replacingOccurrences(of: "seed: 3", with: "seed: 4")
        try other.write(to: folder.appendingPathComponent("other.yaml"), atomically: true, encoding: .utf8)
        let specs = ["exp.yaml", "other.yaml", "exp.yaml", "other.yaml"]
        var processes: [(Process, URL, URL)] = []
        for (index, spec) in specs.enumerated() {
            let output = folder.appendingPathComponent("result-\(index).json"), errors = folder.appendingPathComponent("errors-\(index).txt")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            let process = try RunnerProcess.make(["run", spec, "--json", "--quiet", "--store", "shared", "--out", "out-\(index)"], in: folder)
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = try FileHandle(forWritingTo: errors)
            processes.append((process, output, errors))
        }
        for (process, _, _) in processes { try process.run() }
        for (process, _, _) in processes { process.waitUntilExit() }
        var bests: [String: [NSDictionary]] = [:]
        for ((process, output, errors), spec) in zip(processes, specs) {
            XCTAssertEqual(process.terminationStatus, 0, "\(spec): \((try? String(contentsOf: errors, encoding: .utf8)) ?? "")")
            let results = try json(String(contentsOf: output, encoding: .utf8))
            bests[spec, default: []].append(try XCTUnwrap(results["best"] as? NSDictionary))
            let candidates = try XCTUnwrap(results["candidates"] as? [[String: Any]])
            XCTAssertEqual(candidates.count, 4)
        }
        XCTAssertEqual(bests["exp.yaml"]?[0], bests["exp.yaml"]?[1])
        XCTAssertEqual(bests["other.yaml"]?[0], bests["other.yaml"]?[1])
        XCTAssertEqual(try runner("fsck", "--store", "shared").status, 0)
        let runs = try runner("runs", "--store", "shared", "--json")
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [Any])?.count, 4)
    }

    /// SIGKILL at instants chosen from the run's own progress (after a random number of
    /// computed-stage events, or once every stage has finished and results, lock and index
    /// are being written) until 20 runs have really been killed: after each kill the store
    /// passes fsck, later runs resume from what earlier ones finished, and the final rerun
    /// gives the same lock as an uninterrupted run. Only kills that ended the process count,
    /// so the machine's speed changes how many rounds it takes, never the verdict.
    func testRunsKilledAtRandomInstantsLeaveAValidStore() throws {
        let heavy = Self.spec.replacingOccurrences(of: "n_estimators: 20}, grid: {max_depth: [3, null]}", with: "n_estimators: 100}, grid: {max_depth: [3, 6, null]}")
        try heavy.write(to: folder.appendingPathComponent("heavy.yaml"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try runner("run", "heavy.yaml", "--quiet", "--store", "reference").status, 0)
        let reference = try String(contentsOfFile: file("heavy.lock"), encoding: .utf8)
        try FileManager.default.removeItem(atPath: file("heavy.lock"))
        var generator = SplitMix(seed: 2026)
        var killed = 0, lateKills = 0, round = 0
        while killed < 20 && round < 80 {
            // A fresh store every 4 rounds: the first kill lands in a cold run, the next ones in resumed runs.
            if round % 4 == 0 { try? FileManager.default.removeItem(atPath: file("killed")) }
            let late = round % 4 == 3
            let run = try ProgressEvents(["run", "heavy.yaml", "--store", "killed", "-j", "2"], in: folder)
            var total = Int.max, finished = 0, computed = 0
            let stop = 1 + Int(generator.next() % 12)
            let reached = run.first { event in
                if event.event == "started" { total = Int(event["stages"] as? Double ?? 0) }
                if event.event == "stage_finished" { finished += 1 }
                if event.isComputedStage { computed += 1 }
                return late ? finished == total : computed == stop
            }
            if reached != nil { kill(run.process.processIdentifier, SIGKILL) }
            run.finish()
            if run.diedOfSignal {
                killed += 1
                if late { lateKills += 1 }
            } else {
                XCTAssertEqual(run.process.terminationStatus, 0, "round \(round): a run that was not killed finishes")
            }
            let fsck = try runner("fsck", "--store", "killed")
            XCTAssertEqual(fsck.status, 0, "round \(round): \(fsck.stdout)")
            round += 1
        }
        XCTAssertGreaterThanOrEqual(killed, 20, "20 runs killed mid-run within \(round) rounds (\(lateKills) while writing results)")
        let final = try runner("run", "heavy.yaml", "--quiet", "--store", "killed")
        XCTAssertEqual(final.status, 0, final.stderr)
        XCTAssertEqual(try String(contentsOfFile: file("heavy.lock"), encoding: .utf8), reference)
    }
}

/// A small seeded generator for kill instants (tests only).
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
