import Foundation
import XCTest
@testable import Deploy

/// What every target writes passes the tools its users would run on it: shellcheck for the
/// scripts, hadolint for the Dockerfiles, kubernetes-validate for the manifests, a YAML and
/// JSON parser for cloud-init and the policies.
final class GeneratedFileLintTests: XCTestCase {
    private var plans: [DeploymentPlan] { DeployFixtures.all.map { DeploymentPlan.make($0, DeployFixtures.subject) } }

    func testScriptsPassShellcheck() throws {
        let shellcheck = try ReferenceTools.path("shellcheck")
        for plan in plans {
            let folder = try DeployFixtures.write(plan)
            defer { try? FileManager.default.removeItem(at: folder) }
            var scripts = [folder.appendingPathComponent("deploy.sh").path, folder.appendingPathComponent("destroy.sh").path]
            // The VM's fetch script, as cloud-init writes it.
            if let cloudInit = plan.files.first(where: { $0.path == "cloud-init.yaml" }) {
                let fetch = try XCTUnwrap(Self.block(after: "path: /usr/local/lib/runner/fetch.sh", in: cloudInit.contents))
                let path = folder.appendingPathComponent("fetch.sh").path
                try fetch.write(toFile: path, atomically: true, encoding: .utf8)
                scripts.append(path)
            }
            let result = try ReferenceTools.run([shellcheck, "--severity=style"] + scripts)
            XCTAssertEqual(result.status, 0, "\(plan.target): \(result.output)")
        }
    }

    func testDockerfilesPassHadolint() throws {
        let hadolint = try ReferenceTools.path("hadolint")
        let plan = DeploymentPlan.make(DeployFixtures.aws, DeployFixtures.subject)
        let folder = try DeployFixtures.write(plan)
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in ["Dockerfile", "Containerfile"] {
            let result = try ReferenceTools.run([hadolint, folder.appendingPathComponent(file).path])
            XCTAssertEqual(result.status, 0, "\(file): \(result.output)")
        }
    }

    func testManifestsPassKubernetesValidate() throws {
        let validate = try ReferenceTools.path("kubernetes-validate")
        let plan = DeploymentPlan.make(DeployFixtures.kubernetes, DeployFixtures.subject)
        let folder = try DeployFixtures.write(plan)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try ReferenceTools.run([validate, "--strict", folder.appendingPathComponent("kubernetes.yaml").path])
        XCTAssertEqual(result.status, 0, result.output)
        for kind in ["serviceaccount", "deployment", "service", "horizontalpodautoscaler"] {
            XCTAssertTrue(result.output.contains("passed for resource \(kind)/runner-cluster"), result.output)
        }
    }

    func testCloudInitAndPoliciesParse() throws {
        let python = ReferenceTools.python
        for plan in plans {
            let folder = try DeployFixtures.write(plan)
            defer { try? FileManager.default.removeItem(at: folder) }
            for file in plan.files where file.path.hasSuffix(".yaml") || file.path.hasSuffix(".json") {
                let check = """
                    import json, sys, yaml
                    path = sys.argv[1]
                    documents = [json.load(open(path))] if path.endswith(".json") else list(yaml.safe_load_all(open(path)))
                    if path.endswith("cloud-init.yaml"):
                        config = documents[0]
                        assert open(path).readline() == "#cloud-config\\n"
                        paths = [entry["path"] for entry in config["write_files"]]
                        assert paths == ["/usr/local/lib/runner/fetch.sh", "/etc/systemd/system/runner.service"], paths
                        assert config["runcmd"][-1] == "systemctl enable --now runner.service", config["runcmd"]
                    print(len(documents))
                    """
                let result = try ReferenceTools.run([python, "-c", check, folder.appendingPathComponent(file.path).path])
                if result.output.contains("No module named 'yaml'") {
                    if ReferenceTools.required { XCTFail(result.output) }
                    throw XCTSkip("PyYAML is not installed")
                }
                XCTAssertEqual(result.status, 0, "\(plan.target)/\(file.path): \(result.output)")
            }
        }
    }

    /// The literal block under a cloud-init `write_files` entry, unindented.
    static func block(after marker: String, in text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.contains(marker) }),
              let content = lines[start...].firstIndex(where: { $0.hasSuffix("content: |") }) else { return nil }
        var block: [String] = []
        for line in lines[(content + 1)...] {
            if !line.isEmpty && !line.hasPrefix("      ") { break }
            block.append(line.isEmpty ? "" : String(line.dropFirst(6)))
        }
        return block.joined(separator: "\n")
    }
}
