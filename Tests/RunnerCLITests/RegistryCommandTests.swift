import Foundation
import XCTest

/// `runner registry` on the store's index: versions from runs and bundle files, stages with
/// one production version per name, rollback by the history, numbers never reused, two
/// processes promoting at once, gc keeping registered bundles, and a server following a
/// promotion of `registry://NAME@production`. `PostgresRegistryCommandTests` runs the same
/// tests on a PostgreSQL registry.
class RegistryCommandTests: XCTestCase {
    var folder: URL!
    /// Variables every runner process gets (the PostgreSQL tests name the registry here).
    var environment: [String: String] = ["RUNNER_ACTOR": "tester"]
    /// The store the promotions in the server test run with: the server's own store when the
    /// registry lives in it; another machine's (empty) store for a shared registry.
    var promotingStore = ".runner"

    override func setUpWithError() throws {
        folder = try RunnerProcess.experimentFolder(spec: """
            version: 1
            name: reg
            seed: 2
            data: {source: data/penguins.csv, target: species, drop: [year]}
            preprocess:
              - impute: {columns: numeric, strategy: mean}
              - impute: {columns: categorical, strategy: most_frequent}
              - one_hot: {columns: categorical, handle_unknown: ignore}
              - scale: {columns: numeric, method: standard}
            models:
              - {name: logreg, type: logistic_regression, params: {max_iter: 500}, grid: {C: [0.1, 1]}}
            search: {cv: 3}
            """)
    }

    override func tearDown() {
        // nil when a subclass skipped before the folder was made (no PostgreSQL server).
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    private func runner(_ arguments: String...) throws -> RunnerProcess.Outcome {
        try RunnerProcess.run(arguments + ["--store", ".runner"], in: folder, environment: environment)
    }

    private func runID(of outcome: RunnerProcess.Outcome) throws -> String {
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        return try XCTUnwrap(object["runID"] as? String)
    }

    /// Two runs with different seeds: two different bundles.
    private func twoRuns() throws -> (String, String) {
        let first = try runner("run", "exp.yaml", "--quiet", "--json")
        XCTAssertEqual(first.status, 0, first.stderr)
        let spec = try String(contentsOf: folder.appendingPathComponent("exp.yaml"), encoding: .utf8)
        try spec.replacingOccurrences(of: "seed: 2", with: "seed: 9").write(to: folder.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8)
        let second = try runner("run", "exp.yaml", "--quiet", "--json")
        XCTAssertEqual(second.status, 0, second.stderr)
        return (try runID(of: first), try runID(of: second))
    }

    private func show(_ reference: String) throws -> [String: Any] {
        let outcome = try runner("registry", "show", reference, "--json")
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
    }

    func testVersionsStagesRollbackAndHistory() throws {
        let (first, second) = try twoRuns()
        XCTAssertTrue(try runner("registry", "add", first, "--name", "penguins").stdout.contains("registered penguins@1"))
        XCTAssertTrue(try runner("registry", "add", String(second.prefix(20)), "--name", "penguins").stdout.contains("registered penguins@2"))
        let fromFile = try runner("registry", "add", "out/reg/model.bundle", "--name", "penguins")
        XCTAssertTrue(fromFile.stdout.contains("registered penguins@3"), fromFile.stdout + fromFile.stderr)
        let one = try show("penguins@1")
        XCTAssertEqual(one["runID"] as? String, first)
        XCTAssertEqual(one["testsPassed"] as? Bool, nil)
        XCTAssertEqual(one["addedBy"] as? String, "tester")
        XCTAssertTrue((one["metrics"] as? String)?.contains("accuracy") == true)

        XCTAssertEqual(try runner("registry", "promote", "penguins@1", "--stage", "production").status, 0)
        XCTAssertEqual(try runner("registry", "promote", "penguins@2", "--stage", "production").status, 0)
        XCTAssertEqual(try runner("registry", "promote", "penguins@3", "--stage", "staging").status, 0)
        XCTAssertEqual(try show("penguins@production")["version"] as? Int, 2)
        XCTAssertEqual(try show("penguins@1")["stage"] as? String, "archived")
        XCTAssertEqual(try show("penguins@staging")["version"] as? Int, 3)
        let refused = try runner("registry", "remove", "penguins@2")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("penguins@2 is in production; promote another version first"), refused.stderr)

        let rollback = try runner("registry", "rollback", "penguins")
        XCTAssertTrue(rollback.stdout.contains("penguins@1 is in production again"), rollback.stdout + rollback.stderr)
        XCTAssertEqual(try show("penguins@2")["stage"] as? String, "archived")
        XCTAssertEqual(try runner("registry", "remove", "penguins@3").status, 0)
        XCTAssertTrue(try runner("registry", "add", first, "--name", "penguins").stdout.contains("registered penguins@4"), "numbers are never reused")
        let history = try XCTUnwrap(show("penguins")["history"] as? [[String: Any]])
        XCTAssertEqual(history.map { "\($0["event"]!) \($0["version"]!)" },
                       ["add 1", "add 2", "add 3", "promote 1", "promote 2", "promote 3", "rollback 1", "remove 3", "add 4"])
        let listed = try runner("registry", "list")
        XCTAssertTrue(listed.stdout.contains("penguins  3         4       -        1"), listed.stdout)

        // gc keeps the registered bundles even when no recorded run names them any more.
        XCTAssertEqual(try runner("gc", "--grace", "0").status, 0)
        XCTAssertEqual(try runner("registry", "show", "penguins@2").status, 0)
        let blob = try XCTUnwrap(show("penguins@2")["bundle"] as? String)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".runner/objects/\(blob.prefix(2))/\(blob.dropFirst(2))").path))

        for (arguments, message) in [(["registry", "show", "nobody"], "no model named 'nobody'"), (["registry", "promote", "penguins@9", "--stage", "production"], "'penguins' has no version 9"),
                                     (["registry", "show", "bad name@1"], "is not NAME, NAME@VERSION"), (["registry", "rollback", "penguins"], "")] {
            let outcome = try RunnerProcess.run(arguments + ["--store", ".runner"], in: folder, environment: environment)
            if message.isEmpty { continue }
            XCTAssertEqual(outcome.status, 1, arguments.joined(separator: " "))
            XCTAssertTrue(outcome.stderr.contains(message), outcome.stderr)
        }
    }

    func testTwoProcessesPromotingAtOnceLeaveOneProductionVersion() throws {
        let (first, second) = try twoRuns()
        XCTAssertEqual(try runner("registry", "add", first, "--name", "m").status, 0)
        XCTAssertEqual(try runner("registry", "add", second, "--name", "m").status, 0)
        for round in 0..<4 {
            let processes = try ["m@1", "m@2"].map { reference in
                try RunnerProcess.make(["registry", "promote", reference, "--stage", "production", "--store", ".runner"], in: folder, environment: environment)
            }
            for process in processes { try process.run() }
            for process in processes { process.waitUntilExit() }
            XCTAssertEqual(processes.map(\.terminationStatus), [0, 0], "round \(round)")
            let versions = try XCTUnwrap(show("m")["versions"] as? [[String: Any]])
            XCTAssertEqual(versions.filter { $0["stage"] as? String == "production" }.count, 1)
            let history = try XCTUnwrap(show("m")["history"] as? [[String: Any]])
            // The version in production is the one the history promoted last.
            let last = history.last { $0["event"] as? String == "promote" }
            XCTAssertEqual(try show("m@production")["version"] as? Int, last?["version"] as? Int)
        }
    }

    func testAServerFollowsAPromotion() throws {
        let (first, second) = try twoRuns()
        XCTAssertEqual(try runner("registry", "add", first, "--name", "penguins").status, 0)
        XCTAssertEqual(try runner("registry", "add", second, "--name", "penguins").status, 0)
        let missing = try RunnerProcess.run(["serve", "registry://penguins@production", "--store", ".runner"], in: folder, environment: environment)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("'penguins' has no production version"), missing.stderr)
        XCTAssertEqual(try runner("registry", "promote", "penguins@1", "--stage", "production").status, 0)
        let one = try XCTUnwrap(show("penguins@1")["bundle"] as? String), two = try XCTUnwrap(show("penguins@2")["bundle"] as? String)
        XCTAssertNotEqual(one, two)
        let server = try ServeProcess(["registry://penguins@production", "--store", ".runner", "--registry-poll", "0.1"], environment: environment, in: folder)
        defer { _ = server.stop() }
        try server.waitUntilLoaded(1)
        XCTAssertEqual(server.log.first { $0["msg"] as? String == "model loaded" }?["version"] as? String, String(one.prefix(12)))
        func promoting(_ arguments: String...) throws -> Int32 {
            let outcome = try RunnerProcess.run(arguments + ["--store", promotingStore], in: folder, environment: environment)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            return outcome.status
        }
        XCTAssertEqual(try promoting("registry", "promote", "penguins@2", "--stage", "production"), 0)
        try server.waitFor { $0["msg"] as? String == "model reloaded" && $0["version"] as? String == String(two.prefix(12)) }
        XCTAssertEqual(try promoting("registry", "rollback", "penguins"), 0)
        try server.waitFor { $0["msg"] as? String == "model reloaded" && $0["version"] as? String == String(one.prefix(12)) }
    }

    func testADeployTargetDeploysTheRegisteredVersion() throws {
        let (first, second) = try twoRuns()
        XCTAssertEqual(try runner("registry", "add", first, "--name", "penguins").status, 0)
        XCTAssertEqual(try runner("registry", "add", second, "--name", "penguins").status, 0)
        let spec = try String(contentsOf: folder.appendingPathComponent("exp.yaml"), encoding: .utf8)
        try (spec + "\ndeploy:\n  - {name: prod, type: kubernetes, model: penguins@production}\n")
            .write(to: folder.appendingPathComponent("deploy.yaml"), atomically: true, encoding: .utf8)
        let none = try runner("deploy", "deploy.yaml", "--target", "prod", "--quiet")
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("deploy.model penguins@production: 'penguins' has no production version"), none.stderr)

        func deployed() throws -> String {
            let dry = try runner("deploy", "deploy.yaml", "--target", "prod", "--quiet")
            XCTAssertEqual(dry.status, 0, dry.stderr)
            let containerfile = try String(contentsOf: folder.appendingPathComponent("out/reg/deploy/prod/Containerfile"), encoding: .utf8)
            let label = try XCTUnwrap(containerfile.split(separator: "\n").first { $0.contains("dev.runner.bundle.sha256") })
            let digest = String(try XCTUnwrap(label.split(separator: "\"").dropFirst().first))
            // The commands take the registered blob from the store, not the run's out/ bundle.
            XCTAssertTrue(dry.stdout.contains(".runner/objects/\(digest.prefix(2))/\(digest.dropFirst(2))"), dry.stdout)
            return digest
        }
        XCTAssertEqual(try runner("registry", "promote", "penguins@1", "--stage", "production").status, 0)
        XCTAssertEqual(try deployed(), try show("penguins@1")["bundle"] as? String)
        XCTAssertEqual(try runner("registry", "promote", "penguins@2", "--stage", "production").status, 0)
        XCTAssertEqual(try deployed(), try show("penguins@2")["bundle"] as? String, "the plan follows the registry")
        try (spec + "\ndeploy:\n  - {name: prod, type: kubernetes, model: penguins@next}\n")
            .write(to: folder.appendingPathComponent("deploy.yaml"), atomically: true, encoding: .utf8)
        let bad = try RunnerProcess.run(["validate", "deploy.yaml"], in: folder, environment: environment)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("deploy.model must name a registered model: NAME@production, NAME@staging or NAME@VERSION, found 'penguins@next'"), bad.stderr)
    }
}
