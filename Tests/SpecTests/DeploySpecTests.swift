import Foundation
import XCTest
@testable import Spec

/// The spec's `deploy:` section: what decodes, and each mistake as a located error.
final class DeploySpecTests: XCTestCase {
    private func check(_ deploy: String, package: String = "") -> SpecCheck {
        let yaml = """
            version: 1
            data: {source: data/iris.csv, target: species}
            models:
              - type: gaussian_nb
            \(package)
            deploy:
            \(deploy)
            """
        return SpecLoader.load(text: yaml, file: "exp.yaml", baseDirectory: TestPaths.experiments.path, checkData: false)
    }

    private func errors(_ deploy: String, package: String = "") -> [String] {
        check(deploy, package: package).errors.map(\.description)
    }

    func testEveryTargetTypeDecodes() throws {
        let decoded = check("""
              - {name: local, type: container, port: 9000, engine: podman, secrets: {bundle_key: {env: MODEL_KEY}}}
              - {name: cluster, type: kubernetes, namespace: ml, replicas: 3, max_replicas: 6, memory_limit: 1Gi, secrets: {api_keys: {kubernetes_secret: runner/keys}, bundle_key: {kubernetes_secret: runner/bundle-key}}}
              - {name: prod-aws, type: aws_ec2, region: eu-west-1, instance_type: t3.small, artifacts: "s3://bucket/runner/", allow_cidr: 203.0.113.0/24, secrets: {api_keys: {aws_ssm: /runner/keys}, bundle_key: {aws_secrets_manager: runner-key}}}
              - {name: prod-azure, type: azure_vm, resource_group: ml, location: westeurope, size: Standard_B2s, artifacts: "https://acct.blob.core.windows.net/runner", allow_cidr: "2001:db8::/32", secrets: {api_keys: {azure_key_vault: vault/keys}, bundle_key: {azure_key_vault: vault/bundle-key}}}
              - {name: prod-gcp, type: gcp_compute, project: my-proj, zone: europe-west1-b, machine_type: e2-small, artifacts: gs://bucket/runner, allow_cidr: 0.0.0.0/0, allow_public: true, secrets: {api_keys: {gcp_secret: runner-keys}, bundle_key: {gcp_secret: runner-bundle-key}}}
            """, package: "package: {encrypt: {key_env: MODEL_KEY}}")
        let experiment = try XCTUnwrap(decoded.experiment, "\(decoded.errors.map(\.description))")
        XCTAssertEqual(experiment.deploy.map(\.name.value), ["local", "cluster", "prod-aws", "prod-azure", "prod-gcp"])
        XCTAssertEqual(experiment.deploy.map(\.platform.kind), [.container, .kubernetes, .awsEC2, .azureVM, .gcpCompute])
        XCTAssertEqual(experiment.deploy[0].port, 9000)
        XCTAssertEqual(experiment.deploy[0].secrets.bundleKey, .environment("MODEL_KEY"))
        guard case .kubernetes(let kubernetes) = experiment.deploy[1].platform else { return XCTFail("not kubernetes") }
        XCTAssertEqual(kubernetes, DeployTarget.Kubernetes(namespace: "ml", replicas: 3, maxReplicas: 6, memoryLimit: "1Gi"))
        XCTAssertEqual(experiment.deploy[1].secrets.apiKeys, .kubernetesSecret(name: "runner", key: "keys"))
        guard case .awsEC2(let aws) = experiment.deploy[2].platform else { return XCTFail("not aws") }
        XCTAssertEqual(aws.artifacts, "s3://bucket/runner", "a trailing slash is dropped")
        XCTAssertEqual(aws.exposure.allowCIDR, "203.0.113.0/24")
        XCTAssertEqual(experiment.deploy[3].secrets.apiKeys, .azureKeyVault(vault: "vault", secret: "keys"))
    }

    func testMistakesAreLocatedErrors() {
        XCTAssertEqual(errors("  - {name: a, type: kubernetes, replica: 2}"),
                       ["exp.yaml:7:33: error: unknown key 'replica' in deploy target of type kubernetes (did you mean 'replicas'?)"])
        XCTAssertEqual(errors("  - {name: a, type: aws_ec2, region: eu-west-1, artifacts: s3://b, allow_cidr: 10.0.0.0/33}"),
                       ["exp.yaml:7:80: error: deploy.allow_cidr must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24, found '10.0.0.0/33'"])
        XCTAssertEqual(errors("  - {name: a, type: aws_ec2, region: eu-west-1, artifacts: bucket/x, allow_cidr: 10.0.0.0/8}"),
                       ["exp.yaml:7:60: error: deploy.artifacts must be a s3:// location such as s3://my-bucket/runner, found 'bucket/x'"])
        XCTAssertEqual(errors("  - {name: Prod, type: container}"),
                       ["exp.yaml:7:12: error: deploy target name 'Prod' must be lower-case letters, digits and '-', starting with a letter, at most 40 characters (it names cloud resources)"])
        XCTAssertEqual(errors("  - {name: a, type: container}\n  - {name: a, type: kubernetes}"), ["exp.yaml:8:12: error: deploy target name 'a' is used twice (first used on line 7); give each deploy target a unique name"])
        XCTAssertEqual(errors("  - {name: a, type: container, secrets: {api_keys: {aws_ssm: /keys}}}"),
                       ["exp.yaml:7:53: error: a container target cannot read a secret from aws_ssm; use 'env'"])
        XCTAssertEqual(errors("  - {name: a, type: kubernetes, secrets: {api_keys: {kubernetes_secret: keys}}}"),
                       ["exp.yaml:7:73: error: deploy.secrets.api_keys.kubernetes_secret must be written SECRET/KEY, found 'keys'"])
        XCTAssertEqual(errors("  - {name: a, type: container, secrets: {tls_cert: {env: CERT}}}"),
                       ["exp.yaml:7:41: error: deploy.secrets needs both tls_cert and tls_key, or neither"])
        XCTAssertEqual(errors("  - {name: a, type: container, port: 70000}"), ["exp.yaml:7:38: error: deploy.port must be at most 65535, found 70000"])
        XCTAssertEqual(errors("  - {name: a, type: kubernetes, replicas: 4, max_replicas: 2}"), ["exp.yaml:7:60: error: deploy.max_replicas (2) is below replicas (4)"])
        XCTAssertEqual(errors("  - {name: a, type: container, image: 'Registry/X'}"),
                       ["exp.yaml:7:39: error: deploy.image must be a registry reference such as registry.example.com/team/model:1, found 'Registry/X'"])
    }

    func testTheBundleMustExistAndBeReadable() {
        XCTAssertEqual(errors("  - {name: a, type: container}", package: "package: {formats: [onnx]}"),
                       ["exp.yaml:7:12: error: deploy target 'a' serves the bundle, but package.formats leaves it out; add 'bundle'"])
        XCTAssertEqual(errors("  - {name: a, type: container}", package: "package: {encrypt: {key_env: MODEL_KEY}}"),
                       ["exp.yaml:7:12: error: the bundle is encrypted, so deploy target 'a' needs secrets.bundle_key naming where its server reads the key"])
        let warnings = check("  - {name: a, type: container, secrets: {bundle_key: {env: KEY}}}").diagnostics.filter { $0.severity == .warning }.map(\.description)
        XCTAssertEqual(warnings, ["exp.yaml:7:12: warning: deploy target 'a' names a bundle_key, but the bundle is not encrypted (package.encrypt)"])
    }

    func testAddressChecks() {
        for valid in ["10.0.0.0/8", "203.0.113.7/32", "0.0.0.0/0", "2001:db8::/32", "::/0", "fe80::1/128"] { XCTAssertTrue(CIDR.isValid(valid), valid) }
        for invalid in ["10.0.0.0", "10.0.0/8", "256.0.0.0/8", "10.0.0.0/-1", "2001:db8:::/32", "::/129", "a.b.c.d/8", "10.0.0.0/8/8"] {
            XCTAssertFalse(CIDR.isValid(invalid), invalid)
        }
    }
}
