import Foundation
import XCTest
@testable import Deploy
@testable import Spec

/// The generated cloud commands, run by the clouds' own CLIs. gcloud sends its requests to a
/// recording stand-in of the Compute Engine API on loopback (Tests/Fixtures/deploy/
/// compute_recorder.py); az cannot be pointed at loopback without a stand-in for Azure AD,
/// so its commands go through az's own argument parser, which rejects an unknown or missing
/// argument (exit 2) before asking for a login (exit 1).
final class CloudCLITests: XCTestCase {
    func testGcloudSendsTheComputeRequestsTheSpecAsksFor() throws {
        let gcloud = try ReferenceTools.path("gcloud", required: ReferenceTools.cloudCLIsRequired)
        let plan = DeploymentPlan.make(DeployFixtures.gcp, DeployFixtures.subject)
        let folder = try DeployFixtures.write(plan)
        defer { try? FileManager.default.removeItem(at: folder) }
        let recorder = try ComputeRecorder(folder: folder)
        defer { recorder.stop() }

        let configuration = folder.appendingPathComponent("gcloud-config").path
        let token = folder.appendingPathComponent("token").path
        try "test-token".write(toFile: token, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["CLOUDSDK_CONFIG"] = configuration
        environment["CLOUDSDK_CORE_DISABLE_PROMPTS"] = "1"
        environment["CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"] = token
        environment["CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"] = "http://127.0.0.1:\(recorder.port)/compute/v1/"
        environment["PATH"] = URL(fileURLWithPath: gcloud).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let executor = DeploymentExecutor(runner: ProgramRunner(environment: environment)) { _ in }
        // The Compute Engine steps (storage, IAM and Secret Manager go to other APIs).
        let compute = plan.apply.filter { $0.arguments.starts(with: ["gcloud", "compute"]) }
        XCTAssertEqual(compute.count, 5)
        var variables = Variables(["DEPLOY_DIR": folder.path])
        var recorded: [String: String] = [:]
        try executor.run(compute, variables: &variables) { recorded[$0] = $1 }
        XCTAssertEqual(recorded, ["FIREWALL": "runner-prod-gcp-8080", "INSTANCE": "runner-prod-gcp", "ADDRESS": "192.0.2.10"])

        let posts = try recorder.requests().filter { $0["method"] as? String == "POST" }
        XCTAssertEqual(posts.map { $0["path"] as? String }, ["/compute/v1/projects/my-proj/global/firewalls", "/compute/v1/projects/my-proj/zones/europe-west1-b/instances"])
        let firewall = try XCTUnwrap(posts[0]["body"] as? [String: Any])
        XCTAssertEqual(firewall["sourceRanges"] as? [String], ["203.0.113.0/24"])
        XCTAssertEqual(firewall["targetTags"] as? [String], ["runner-prod-gcp"])
        XCTAssertEqual(firewall["direction"] as? String, "INGRESS")
        XCTAssertEqual((firewall["allowed"] as? [[String: Any]])?.first?["ports"] as? [String], ["8080"])
        let instance = try XCTUnwrap(posts[1]["body"] as? [String: Any])
        XCTAssertTrue((instance["machineType"] as? String)?.hasSuffix("/zones/europe-west1-b/machineTypes/e2-small") == true, "\(instance["machineType"] ?? "")")
        let metadata = Dictionary(uniqueKeysWithValues: ((instance["metadata"] as? [String: Any])?["items"] as? [[String: String]] ?? []).compactMap { item in
            item["key"].map { ($0, item["value"] ?? "") }
        })
        XCTAssertEqual(metadata["user-data"], plan.files.first { $0.path == "cloud-init.yaml" }?.contents)
        XCTAssertEqual(metadata["block-project-ssh-keys"], "true")
        XCTAssertEqual((instance["serviceAccounts"] as? [[String: Any]])?.first?["email"] as? String, "runner-prod-gcp@my-proj.iam.gserviceaccount.com")
        XCTAssertEqual((instance["shieldedInstanceConfig"] as? [String: Bool])?["enableSecureBoot"], true)
        XCTAssertEqual((instance["labels"] as? [String: String])?["runner-bundle"], "abababababab")
        XCTAssertEqual((instance["tags"] as? [String: Any])?["items"] as? [String], ["runner-prod-gcp"])

        // Applying again finds both and creates nothing.
        var again = Variables(["DEPLOY_DIR": folder.path])
        try executor.run(compute, variables: &again) { _, _ in }
        XCTAssertEqual(try recorder.requests().filter { $0["method"] as? String == "POST" }.count, 2)
    }

    func testAzParsesEveryGeneratedCommand() throws {
        let plan = DeploymentPlan.make(DeployFixtures.azure, DeployFixtures.subject)
        let folder = try DeployFixtures.write(plan)
        defer { try? FileManager.default.removeItem(at: folder) }
        var variables = Variables(["DEPLOY_DIR": folder.path])
        for name in ["IDENTITY_ID", "PRINCIPAL_ID", "STORAGE_ID", "VAULT_ID_1", "VAULT_ID_2", "VM_ID"] {
            variables[name] = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml/providers/x/\(name.lowercased())"
        }
        let commands = (plan.apply + plan.destroy).filter { $0.program == "az" }
        XCTAssertGreaterThanOrEqual(commands.count, 15)
        try AzParser.check(commands, variables: variables, configFolder: folder.appendingPathComponent("az-config"))
    }
}

/// compute_recorder.py on a free loopback port, stopped by `stop()`.
private final class ComputeRecorder {
    let port: Int
    private let process: Process
    private let record: URL

    init(folder: URL) throws {
        let portFile = folder.appendingPathComponent("recorder.port")
        record = folder.appendingPathComponent("requests.jsonl")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/deploy/compute_recorder.py").path
        process.arguments = [ReferenceTools.python, script, portFile.path, record.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The recorder renames its port file into place once it listens.
        while !FileManager.default.fileExists(atPath: portFile.path) {
            guard process.isRunning else { throw ToolMissing(description: "compute_recorder.py exited before it listened") }
            usleep(20_000)
        }
        port = Int(try String(contentsOf: portFile, encoding: .utf8)) ?? 0
    }

    func requests() throws -> [[String: Any]] {
        let text = (try? String(contentsOf: record, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
