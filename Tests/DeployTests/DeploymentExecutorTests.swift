import Foundation
import XCTest
@testable import Deploy

/// The executor against small fake CLIs in a folder on PATH.
final class DeploymentExecutorTests: XCTestCase {
    private var folder: URL!
    private let log = LineLog()

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-fake-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // `cloud create NAME` prints an id and logs the call; `cloud fail` exits 3.
        try tool("cloud", """
            #!/bin/sh
            echo "$@" >> "\(folder.path)/calls"
            case "$1" in
              create) echo "id-$2" ;;
              find) echo "${FOUND:-None}" ;;
              fail) echo "boom" >&2; exit 3 ;;
            esac
            """)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func tool(_ name: String, _ script: String) throws {
        let path = folder.appendingPathComponent(name).path
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    private var executor: DeploymentExecutor {
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = folder.path + ":/usr/bin:/bin"
        return DeploymentExecutor(runner: ProgramRunner(environment: environment)) { [log] line in log.append(line) }
    }

    private var calls: [String] {
        ((try? String(contentsOf: folder.appendingPathComponent("calls"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func testStepsRunInOrderSkippingWhatLookupsFound() throws {
        var variables = Variables(["NAME": "web"])
        var recorded: [String: String] = [:]
        try executor.run([
            CommandStep("look", ["cloud", "find"], capture: "ID", records: true),
            CommandStep("create", ["cloud", "create", "${NAME}"], capture: "ID", unless: "ID", records: true),
            CommandStep("tag", ["cloud", "tag", "${ID}"], when: "ID"),
            CommandStep("create again", ["cloud", "create", "other"], unless: "ID"),
        ], variables: &variables) { recorded[$0] = $1 }
        XCTAssertEqual(calls, ["find", "create web", "tag id-web"])
        XCTAssertEqual(recorded, ["ID": "id-web"], "a lookup that found nothing (None) is not recorded")
        XCTAssertTrue(log.lines.contains("+ cloud create web"))
        XCTAssertTrue(log.lines.contains("[4/4] create again: already there (ID=id-web)"))
    }

    func testTheFirstFailureStopsTheRunWithItsCommandAndStatus() throws {
        var variables = Variables()
        var recorded: [String: String] = [:]
        XCTAssertThrowsError(try executor.run([
            CommandStep("create", ["cloud", "create", "a"], capture: "A", records: true),
            CommandStep("fail", ["cloud", "fail", "it's"]),
            CommandStep("never", ["cloud", "create", "b"]),
        ], variables: &variables) { recorded[$0] = $1 }) { error in
            XCTAssertEqual(error as? DeployError, .commandFailed(command: "cloud fail 'it'\\''s'", status: 3))
        }
        XCTAssertEqual(calls, ["create a", "fail it's"])
        XCTAssertEqual(recorded, ["A": "id-a"], "what was created before the failure is reported")
    }

    func testAMissingToolStopsEverythingBeforeItStarts() {
        XCTAssertThrowsError(try executor.checkTools([RequiredTool("cloud", "x"), .aws], engine: nil)) { error in
            XCTAssertEqual(error as? DeployError, .toolMissing(tool: "aws", package: RequiredTool.aws.package))
            XCTAssertTrue((error as? DeployError)?.message.contains("install the AWS CLI") == true)
        }
        XCTAssertTrue(calls.isEmpty)
    }

    func testAChildThatLeavesADaemonBehindIsStillSeenToExit() throws {
        // podman run --detach leaves conmon holding its output; the step must end when the
        // command does. The daemon here lives until it is killed: returning at all, with the
        // daemon still alive, shows the step did not wait for it.
        let pidFile = folder.appendingPathComponent("daemon.pid").path
        try tool("detach", "#!/bin/sh\n(sleep 100000 & echo $! > \(pidFile))\necho started\n")
        var variables = Variables()
        try executor.run([CommandStep("start", ["detach"], capture: "OUT")], variables: &variables) { _, _ in }
        XCTAssertEqual(variables["OUT"], "started")
        let pid = try XCTUnwrap(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(kill(pid, 0), 0, "the daemon is still running")
        kill(pid, SIGKILL)
    }
}

/// What the executor announced, from any thread.
private final class LineLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}
