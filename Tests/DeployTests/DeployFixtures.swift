import Foundation
import XCTest
@testable import Deploy
@testable import Spec

/// One target of each kind, with secrets, and the bundle they serve.
enum DeployFixtures {
    static let subject = DeploymentSubject(experiment: "Penguins_v2", bundleDigest: String(repeating: "ab", count: 32), runnerVersion: "0.1.0", encrypted: true)

    static func target(_ name: String, _ platform: DeployTarget.Platform, secrets: DeploySecrets = DeploySecrets()) -> DeployTarget {
        var target = DeployTarget(name: Located(name, at: nil), platform: platform)
        target.secrets = secrets
        return target
    }

    static var container: DeployTarget {
        var secrets = DeploySecrets()
        secrets.bundleKey = .environment("MODEL_KEY")
        secrets.apiKeys = .environment("API_KEYS_FILE")
        return target("local", .container(.init()), secrets: secrets)
    }

    static var kubernetes: DeployTarget {
        var secrets = DeploySecrets()
        secrets.bundleKey = .kubernetesSecret(name: "runner", key: "bundle-key")
        secrets.apiKeys = .kubernetesSecret(name: "runner", key: "api-keys")
        return target("cluster", .kubernetes(.init(namespace: "ml", replicas: 2, maxReplicas: 4)), secrets: secrets)
    }

    static var aws: DeployTarget {
        var secrets = DeploySecrets()
        secrets.bundleKey = .awsSecretsManager("runner/bundle-key")
        secrets.apiKeys = .awsSSMParameter("/runner/api-keys")
        return target("prod-aws", .awsEC2(.init(region: "eu-west-1", artifacts: "s3://models/runner", exposure: .init(allowCIDR: "203.0.113.0/24"))), secrets: secrets)
    }

    static var azure: DeployTarget {
        var secrets = DeploySecrets()
        secrets.bundleKey = .azureKeyVault(vault: "mlvault", secret: "bundle-key")
        secrets.apiKeys = .azureKeyVault(vault: "mlvault", secret: "api-keys")
        return target("prod-azure", .azureVM(.init(resourceGroup: "ml", location: "westeurope", artifacts: "https://mlstore.blob.core.windows.net/runner",
                                                   exposure: .init(allowCIDR: "203.0.113.0/24"))), secrets: secrets)
    }

    static var gcp: DeployTarget {
        var secrets = DeploySecrets()
        secrets.bundleKey = .gcpSecret("runner-bundle-key")
        secrets.apiKeys = .gcpSecret("runner-api-keys")
        return target("prod-gcp", .gcpCompute(.init(project: "my-proj", zone: "europe-west1-b", artifacts: "gs://models/runner",
                                                    exposure: .init(allowCIDR: "203.0.113.0/24"))), secrets: secrets)
    }

    static var all: [DeployTarget] { [container, kubernetes, aws, azure, gcp] }

    /// Writes a plan's files to a new folder.
    static func write(_ plan: DeploymentPlan) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-deploy-\(UUID().uuidString)")
        for file in plan.files {
            let url = folder.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url, atomically: true, encoding: .utf8)
        }
        return folder
    }
}

/// Reference tools from the CI's Python venv (RUNNER_PYTHON's folder): shellcheck, hadolint,
/// kubernetes-validate, aws, moto_server. CI sets RUNNER_REQUIRE_PYTHON=1, so a missing tool
/// fails there instead of skipping.
enum ReferenceTools {
    static var required: Bool { ProcessInfo.processInfo.environment["RUNNER_REQUIRE_PYTHON"] == "1" }

    /// The cloud CLIs (gcloud, az) are required where RUNNER_REQUIRE_CLOUD_CLIS=1 (.ci/run).
    static var cloudCLIsRequired: Bool { ProcessInfo.processInfo.environment["RUNNER_REQUIRE_CLOUD_CLIS"] == "1" }

    static func path(_ tool: String, required: Bool = ReferenceTools.required) throws -> String {
        var candidates: [String] = []
        if let python = ProcessInfo.processInfo.environment["RUNNER_PYTHON"] {
            candidates.append(URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent(tool).path)
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") { candidates.append("\(folder)/\(tool)") }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        if required { throw ToolMissing(description: "\(tool) is not installed (scripts/requirements-ci.txt or .ci/run installs it)") }
        throw XCTSkip("\(tool) is not installed; set RUNNER_PYTHON to the CI venv's python")
    }

    static var python: String { ProcessInfo.processInfo.environment["RUNNER_PYTHON"] ?? "python3" }

    /// Runs a program to completion with its output in files.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        let result = try ProgramRunner(environment: variables).runCombined(arguments)
        return result
    }
}

/// az cannot be pointed at loopback without a stand-in for Azure AD, so its commands go
/// through az's own argument parser: an unknown or missing argument is refused before az
/// asks for a login, so "parsed, then stopped for a login" means az takes the command.
enum AzParser {
    static func check(_ steps: [CommandStep], variables: Variables, configFolder: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let az = try ProcessInfo.processInfo.environment["RUNNER_AZ"] ?? ReferenceTools.path("az", required: ReferenceTools.cloudCLIsRequired)
        var environment = ProcessInfo.processInfo.environment
        environment["AZURE_CONFIG_DIR"] = configFolder.path
        environment["AZURE_CORE_COLLECT_TELEMETRY"] = "false"
        for step in steps {
            let arguments = try [az] + step.arguments.dropFirst().map { try variables.expand($0) }
            let result = try ReferenceTools.run(arguments, environment: environment)
            XCTAssertEqual(result.status, 1, "\(step.summary): \(ShellScript.commandLine(arguments))\n\(result.output)", file: file, line: line)
            XCTAssertTrue(result.output.contains("az login"), "\(step.summary): parsed, then stopped for a login: \(result.output)", file: file, line: line)
        }
    }
}

struct ToolMissing: Error, CustomStringConvertible {
    var description: String
}

extension ProgramRunner {
    /// Standard output and standard error together (for test messages).
    func runCombined(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let wrapped = ["/bin/sh", "-c", "exec \"$@\" 2>&1", "sh"] + arguments
        let result = try run(wrapped, capture: true)
        return (result.status, result.output)
    }
}
