import Foundation
import XCTest

/// A remote store in S3 (moto_server on loopback): runs from two empty local stores share
/// their stages through it, push and pull, an upload killed half-way leaves no object and the
/// next push completes, an object corrupted on the server is refused and recomputed, and an
/// unreachable endpoint, refused credentials and a missing bucket are each one clear error.
final class RemoteStoreCommandTests: XCTestCase {
    private var folder: URL!
    private var moto: MotoServer!
    private let remote = "s3://runner-remote/team/penguins"

    override func setUpWithError() throws {
        moto = try MotoServer()
        XCTAssertEqual(try moto.aws(["s3", "mb", "s3://runner-remote"]).status, 0)
        folder = try RunnerProcess.experimentFolder(spec: """
            version: 1
            name: remote
            seed: 6
            data: {source: data/penguins.csv, target: species, drop: [year]}
            preprocess:
              - impute: {columns: numeric, strategy: mean}
              - impute: {columns: categorical, strategy: most_frequent}
              - one_hot: {columns: categorical, handle_unknown: ignore}
              - scale: {columns: numeric, method: standard}
            models:
              - {name: logreg, type: logistic_regression, params: {max_iter: 300}, grid: {C: [0.1, 1]}}
            search: {cv: 3}
            """)
    }

    override func tearDown() {
        if let folder { try? FileManager.default.removeItem(at: folder) }
        moto = nil
    }

    private func runner(_ arguments: [String], environment extra: [String: String] = [:]) throws -> RunnerProcess.Outcome {
        try RunnerProcess.run(arguments, in: folder, environment: moto.environment.merging(extra) { $1 })
    }

    private func ranAndCached(_ outcome: RunnerProcess.Outcome) throws -> (ran: Int, cached: Int) {
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let results = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], outcome.stdout)
        let stages = try XCTUnwrap(results["stages"] as? [[String: Any]])
        let cached = stages.filter { $0["cached"] as? Bool == true }.count
        return (stages.count - cached, cached)
    }

    /// Every object of the remote, each checked against its digest by pulling into a new store.
    private func assertRemoteIsSound(_ store: String) throws {
        let pulled = try runner(["pull", "--store", store, "--remote", remote])
        XCTAssertEqual(pulled.status, 0, pulled.stderr)
        XCTAssertFalse(pulled.stdout.contains("refused"), pulled.stdout)
        XCTAssertEqual(pulled.stderr, "", "no object refused")
        let fsck = try runner(["fsck", "--store", store])
        XCTAssertEqual(fsck.status, 0, fsck.stdout + fsck.stderr)
    }

    func testTwoEmptyStoresShareTheirStagesThroughTheRemote() throws {
        let first = try ranAndCached(runner(["run", "exp.yaml", "--json", "--quiet", "--store", "a", "--remote", remote]))
        XCTAssertEqual(first.cached, 0)
        let lock = try Data(contentsOf: folder.appendingPathComponent("exp.lock"))
        // Another machine: an empty store, the same remote (here through RUNNER_REMOTE).
        let second = try ranAndCached(runner(["run", "exp.yaml", "--json", "--quiet", "--store", "b"], environment: ["RUNNER_REMOTE": remote]))
        XCTAssertEqual(second.ran, 0, "the second store finds every stage on the remote")
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("exp.lock")), lock)

        // push sends only what is missing; pull brings a third store everything.
        let push = try runner(["push", "--store", "a", "--remote", remote])
        XCTAssertEqual(push.status, 0, push.stderr)
        XCTAssertTrue(push.stdout.contains(" already there"), push.stdout)
        let again = try runner(["push", "--store", "a", "--remote", remote])
        XCTAssertTrue(again.stdout.hasPrefix("pushed 0 blobs and 0 stage records"), again.stdout)
        try assertRemoteIsSound("c")
        let third = try ranAndCached(runner(["run", "exp.yaml", "--json", "--quiet", "--store", "c"]))
        XCTAssertEqual(third.ran, 0, "pulled, then run without the remote: all cached")
        XCTAssertEqual(try runner(["pull", "--store", "c", "--remote", remote]).stdout.hasPrefix("pulled 0 blobs and 0 stage records"), true)

        // The spec can name the remote itself.
        let spec = try String(contentsOf: folder.appendingPathComponent("exp.yaml"), encoding: .utf8)
        try (spec + "\nremote: \(remote)\n").write(to: folder.appendingPathComponent("remote.yaml"), atomically: true, encoding: .utf8)
        let named = try runner(["run", "remote.yaml", "--json", "--quiet", "--store", "f"])
        XCTAssertEqual(named.status, 0, named.stderr)
        let computed = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(named.stdout.utf8)) as? [String: Any])?["stages"] as? [[String: Any]])
            .filter { $0["cached"] as? Bool == false }.compactMap { $0["name"] as? String }
        XCTAssertEqual(computed, ["package bundle"], "remote: in the spec; only the bundle, which names its spec, is new")

        // file:// remotes (a shared filesystem) work the same way.
        let shared = folder.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        XCTAssertEqual(try ranAndCached(runner(["run", "exp.yaml", "--json", "--quiet", "--store", "d", "--remote", "file://" + shared.path])).cached, 0)
        XCTAssertEqual(try ranAndCached(runner(["run", "exp.yaml", "--json", "--quiet", "--store", "e", "--remote", "file://" + shared.path])).ran, 0)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("exp.lock")), lock)
    }

    func testShardsOnThreeMachinesGatherThroughTheRemote() throws {
        // Three machines (three empty stores), one shard each, then a fourth gathers.
        let processes = try (1...3).map { index in
            try RunnerProcess.make(["run", "exp.yaml", "--shard", "\(index)/3", "--quiet", "-j", "1", "--store", "machine\(index)", "--remote", remote],
                                   in: folder, environment: moto.environment)
        }
        for process in processes { try process.run() }
        for process in processes { process.waitUntilExit() }
        XCTAssertEqual(processes.map(\.terminationStatus), [0, 0, 0])
        let gathered = try ranAndCached(runner(["run", "exp.yaml", "--json", "--quiet", "--store", "gather", "--remote", remote]))
        XCTAssertGreaterThan(gathered.cached, 6, "every fit came from the remote")
        let lock = try Data(contentsOf: folder.appendingPathComponent("exp.lock"))
        XCTAssertEqual(try runner(["run", "exp.yaml", "--quiet", "--store", "alone"]).status, 0)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("exp.lock")), lock, "the same lock as one unsharded run without a remote")
    }

    func testAnObjectCorruptedOnTheServerIsRefusedAndRecomputed() throws {
        let first = try runner(["run", "exp.yaml", "--json", "--quiet", "--store", "a", "--remote", remote])
        XCTAssertEqual(first.status, 0, first.stderr)
        let results = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let model = try XCTUnwrap((results["artifacts"] as? [String: String])?["model"])
        let garbage = folder.appendingPathComponent("garbage")
        try Data("not the model".utf8).write(to: garbage)
        XCTAssertEqual(try moto.aws(["s3", "cp", garbage.path, "\(remote)/objects/\(model)"]).status, 0)

        let second = try runner(["run", "exp.yaml", "--json", "--quiet", "--store", "b", "--remote", remote])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("object \(model.prefix(12)) does not match its digest (changed or damaged on the server); refused, recomputing the stage"), second.stderr)
        let stages = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])?["stages"] as? [[String: Any]])
        XCTAssertEqual(stages.first { $0["name"] as? String == "refit" }?["cached"] as? Bool, false, "refit recomputed")
        let recomputed = try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any]
        XCTAssertEqual((recomputed?["artifacts"] as? [String: String])?["model"], model, "the same model, bit for bit")
        let pulled = try runner(["pull", "--store", "c", "--remote", remote])
        XCTAssertTrue(pulled.stderr.contains("object \(model.prefix(12)) does not match its digest; refused"), pulled.stderr)
        XCTAssertTrue(pulled.stdout.contains("1 refused"), pulled.stdout)
    }

    func testAnUploadKilledHalfWayLeavesNoObjectAndTheNextPushCompletes() throws {
        XCTAssertEqual(try runner(["run", "exp.yaml", "--quiet", "--store", "a"]).status, 0)
        // A 40 MB blob goes up in five parts; the proxy holds the connection at the second.
        let big = Data((0..<(40 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        let digest = try XCTUnwrap(Self.sha256(big))
        let path = folder.appendingPathComponent("a/objects/\(digest.prefix(2))/\(digest.dropFirst(2))")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try big.write(to: path)
        let proxy = try HoldingProxy(target: moto.port, marker: "partNumber=2&")
        let push = try RunnerProcess.make(["push", "--store", "a", "--remote", remote], in: folder,
                                          environment: moto.environment.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:\(proxy.port)"]) { $1 })
        push.standardOutput = FileHandle.nullDevice
        push.standardError = FileHandle.nullDevice
        try push.run()
        XCTAssertEqual(proxy.held.wait(timeout: .now() + 300), .success, "the upload reached its second part")
        kill(push.processIdentifier, SIGKILL)
        push.waitUntilExit()
        XCTAssertEqual(push.terminationReason, .uncaughtSignal)
        let listed = try moto.aws(["s3", "ls", "\(remote)/objects/\(digest)"])
        XCTAssertFalse(listed.output.contains(digest), "no object, not even part of one: \(listed.output)")

        let resumed = try runner(["push", "--store", "a", "--remote", remote])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(try moto.aws(["s3", "ls", "\(remote)/objects/\(digest)"]).output.contains(digest))
        try assertRemoteIsSound("b")
        XCTAssertTrue(FileManager.default.contentsEqual(atPath: path.path, andPath: folder.appendingPathComponent("b/objects/\(digest.prefix(2))/\(digest.dropFirst(2))").path))
        XCTAssertEqual(try runner(["run", "exp.yaml", "--quiet", "--store", "e", "--remote", remote]).status, 0, "the next run completes")
    }

    func testBadRemotesAreOneClearErrorAndTheLocalStoreIsIntact() throws {
        XCTAssertEqual(try runner(["run", "exp.yaml", "--quiet", "--store", "a"]).status, 0)
        let before = try runner(["fsck", "--store", "a"]).stdout
        let cases: [([String], [String: String], String)] = [
            (["--remote", "s3://no-such-bucket/x"], [:], "error: remote s3://no-such-bucket/x: the bucket 'no-such-bucket' does not exist (NoSuchBucket"),
            (["--remote", remote], ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(try MotoServer.freePort())"], "error: remote \(remote): cannot reach http://127.0.0.1:"),
            (["--remote", remote], ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""], "error: remote \(remote): no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
            (["--remote", "s3://Bad_Bucket/x"], [:], "error: remote s3://Bad_Bucket/x: 'Bad_Bucket' is not an S3 bucket name"),
            (["--remote", "ftp://host/x"], [:], "error: remote ftp://host/x: not a remote: write s3://BUCKET/PREFIX or file:///PATH"),
        ]
        for (arguments, environment, message) in cases {
            for command in [["run", "exp.yaml", "--quiet", "--store", "a"], ["push", "--store", "a"], ["pull", "--store", "a"]] {
                let outcome = try runner(command + arguments, environment: environment)
                XCTAssertEqual(outcome.status, 1, "\(command) \(arguments)")
                XCTAssertTrue(outcome.stderr.hasPrefix(message), "\(command) \(arguments): \(outcome.stderr)")
                XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, "one line: \(outcome.stderr)")
            }
        }
        XCTAssertEqual(try runner(["fsck", "--store", "a"]).stdout, before, "the local store is as it was")
    }

    func testRefusedCredentialsAreNamed() throws {
        // moto checks signatures once its first actions (the readiness probe, the bucket, the
        // user, its key) are done.
        let auth = try MotoServer(environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "4"])
        XCTAssertEqual(try auth.aws(["s3", "mb", "s3://guarded"]).status, 0)
        XCTAssertEqual(try auth.aws(["iam", "create-user", "--user-name", "ci"]).status, 0)
        let created = try auth.aws(["iam", "create-access-key", "--user-name", "ci", "--output", "json"])
        XCTAssertEqual(created.status, 0, created.output)
        let key = try XCTUnwrap(((JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: Any])?["AccessKey"] as? [String: Any])?["AccessKeyId"] as? String)
        for (environment, code) in [(["AWS_ACCESS_KEY_ID": "AKIANOTAKEY000000000"], "InvalidAccessKeyId"), (["AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "wrong"], "SignatureDoesNotMatch")] {
            let outcome = try RunnerProcess.run(["pull", "--store", "a", "--remote", "s3://guarded"], in: folder, environment: auth.environment.merging(environment) { $1 })
            XCTAssertEqual(outcome.status, 1)
            XCTAssertTrue(outcome.stderr.hasPrefix("error: remote s3://guarded: the credentials were refused (\(code)"), outcome.stderr)
            XCTAssertFalse(outcome.stderr.contains("wrong"), "no secret in the message")
        }
    }

    private static func sha256(_ data: Data) -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        guard (try? data.write(to: file)) != nil else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init)
    }
}
