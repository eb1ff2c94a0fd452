import Foundation
import XCTest
@testable import Deploy
@testable import Spec

final class DeploymentPlanTests: XCTestCase {
    func testPlansAreTheSameBytesEveryTime() {
        for target in DeployFixtures.all {
            XCTAssertEqual(DeploymentPlan.make(target, DeployFixtures.subject), DeploymentPlan.make(target, DeployFixtures.subject), target.name.value)
        }
    }

    func testEveryTargetWritesItsFiles() {
        let files = Dictionary(uniqueKeysWithValues: DeployFixtures.all.map { target in
            (target.name.value, DeploymentPlan.make(target, DeployFixtures.subject).files.map(\.path))
        })
        let common = ["Containerfile", "Dockerfile", "Dockerfile.dockerignore", "deploy.sh", "destroy.sh"]
        let prometheus = ["monitoring/grafana-dashboard.json", "monitoring/prometheus-scrape.yml", "monitoring/runner-alerts.rules.yml"]
        XCTAssertEqual(files["local"], (common + prometheus).sorted())
        XCTAssertEqual(files["cluster"], (common + ["kubernetes.yaml"] + prometheus).sorted())
        XCTAssertEqual(files["prod-aws"], (common + ["cloud-init.yaml", "instance-policy.json", "trust-policy.json", "monitoring/amazon-cloudwatch-agent.json",
                                                     "monitoring/cloudwatch-alarms.sh", "monitoring/prometheus.yaml", "monitoring/runner-alerts.rules.yml"]).sorted())
        XCTAssertEqual(files["prod-azure"], (common + ["cloud-init.yaml", "monitoring/ama-metrics-prometheus-config.yaml", "monitoring/azure-alerts.sh",
                                                       "monitoring/data-collection-rule.json", "monitoring/runner-alerts.rules.yml"]).sorted())
        XCTAssertEqual(files["prod-gcp"], (common + ["cloud-init.yaml", "monitoring/alert-policy-down.json", "monitoring/alert-policy-drift-alert.json",
                                                     "monitoring/alert-policy-drift-warning.json", "monitoring/gcp-alerts.sh", "monitoring/ops-agent.yaml",
                                                     "monitoring/runner-alerts.rules.yml"]).sorted())
    }

    func testTheImageNamesTheBundleAndRunsUnprivileged() throws {
        let plan = DeploymentPlan.make(DeployFixtures.container, DeployFixtures.subject)
        let containerfile = try XCTUnwrap(plan.files.first { $0.path == "Containerfile" }).contents
        XCTAssertTrue(containerfile.contains("FROM scratch\nCOPY rootfs/ /\n"))
        XCTAssertTrue(containerfile.contains("USER 65532:65532"))
        XCTAssertTrue(containerfile.contains("dev.runner.bundle.sha256=\"\(DeployFixtures.subject.bundleDigest)\""))
        XCTAssertTrue(containerfile.contains("CMD [\"/usr/local/bin/runner\", \"probe\", \"http://127.0.0.1:8080/v2/health/ready\"]"))
        XCTAssertTrue(containerfile.contains("ENTRYPOINT [\"/usr/local/bin/runner\", \"serve\"]"))
        XCTAssertEqual(DeployFixtures.subject.localImage, "localhost/runner-penguins-v2:abababababab")
        let run = try XCTUnwrap(plan.apply.first { $0.capture == "CONTAINER_ID" })
        for flag in ["--read-only", "--cap-drop", "ALL", "no-new-privileges", "127.0.0.1:8080:8080"] { XCTAssertTrue(run.arguments.contains(flag), flag) }
        // The key is passed by its variable's name: its value never appears in a command.
        XCTAssertTrue(run.arguments.contains("MODEL_KEY"))
        XCTAssertTrue(run.arguments.contains("RUNNER_SERVE_KEY_ENV=MODEL_KEY"))
        XCTAssertTrue(run.arguments.contains("${API_KEYS_FILE}:/run/secrets/runner/api_keys:ro"))
    }

    func testKubernetesRunsLockedDown() throws {
        let manifest = try XCTUnwrap(DeploymentPlan.make(DeployFixtures.kubernetes, DeployFixtures.subject).files.first { $0.path == "kubernetes.yaml" }).contents
        for line in ["runAsNonRoot: true", "readOnlyRootFilesystem: true", "allowPrivilegeEscalation: false", "automountServiceAccountToken: false",
                     "path: /v2/health/ready", "path: /v2/health/live", "kind: HorizontalPodAutoscaler", "maxReplicas: 4", "secretName: \"runner\"",
                     "key: \"bundle-key\"", "namespace: \"ml\""] {
            XCTAssertTrue(manifest.contains(line), line)
        }
    }

    func testCloudRolesMayReadOnlyWhatTheyServe() throws {
        let plan = DeploymentPlan.make(DeployFixtures.aws, DeployFixtures.subject)
        let policy = try XCTUnwrap(plan.files.first { $0.path == "instance-policy.json" }).contents
        let statements = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(policy.utf8)) as? [String: Any])?["Statement"] as? [[String: Any]])
        XCTAssertEqual(statements.count, 3)
        XCTAssertFalse(policy.contains("\"*\""), "no wildcard resource: \(policy)")
        XCTAssertTrue(policy.contains("arn:aws:s3:::models/runner/runner-penguins-v2-abababababab.tar"))
        XCTAssertTrue(policy.contains("arn:aws:ssm:eu-west-1:*:parameter/runner/api-keys"))
        XCTAssertTrue(policy.contains("arn:aws:secretsmanager:eu-west-1:*:secret:runner/bundle-key-*"))
        let launch = try XCTUnwrap(plan.apply.first { $0.arguments.starts(with: ["aws", "ec2", "run-instances"]) }).arguments
        XCTAssertTrue(launch.contains("HttpTokens=required,HttpEndpoint=enabled,HttpPutResponseHopLimit=2"))
        XCTAssertTrue(launch.contains { $0.contains("\"Encrypted\":true") })
        let ingress = try XCTUnwrap(plan.apply.first { $0.arguments.contains("authorize-security-group-ingress") }).arguments
        XCTAssertTrue(ingress.contains("IpProtocol=tcp,FromPort=8080,ToPort=8080,IpRanges=[{CidrIp=203.0.113.0/24,Description=runner}]"))
        let gcp = DeploymentPlan.make(DeployFixtures.gcp, DeployFixtures.subject)
        XCTAssertEqual(gcp.apply.filter { $0.arguments.contains("roles/secretmanager.secretAccessor") }.map { $0.arguments[3] }, ["runner-bundle-key", "runner-api-keys"])
        let azure = DeploymentPlan.make(DeployFixtures.azure, DeployFixtures.subject)
        XCTAssertEqual(azure.apply.filter { $0.arguments.contains("Key Vault Secrets User") }.compactMap { $0.arguments.last { $0.contains("/secrets/") } },
                       ["${VAULT_ID_1}/secrets/bundle-key", "${VAULT_ID_2}/secrets/api-keys"])
        let create = try XCTUnwrap(azure.apply.first { $0.arguments.starts(with: ["az", "vm", "create"]) }).arguments
        XCTAssertTrue(create.contains("NONE"), "no SSH rule is opened")
    }

    func testCloudInitFetchesSecretsByReferenceOnly() throws {
        for target in [DeployFixtures.aws, DeployFixtures.azure, DeployFixtures.gcp] {
            let cloudInit = try XCTUnwrap(DeploymentPlan.make(target, DeployFixtures.subject).files.first { $0.path == "cloud-init.yaml" }).contents
            XCTAssertTrue(cloudInit.hasPrefix("#cloud-config\n"))
            XCTAssertTrue(cloudInit.contains("> /run/runner/bundle_key"), target.name.value)
            XCTAssertTrue(cloudInit.contains("--env RUNNER_SERVE_KEY_FILE=/run/secrets/runner/bundle_key"), target.name.value)
            XCTAssertTrue(cloudInit.contains("Restart=always"))
        }
        let aws = try XCTUnwrap(DeploymentPlan.make(DeployFixtures.aws, DeployFixtures.subject).files.first { $0.path == "cloud-init.yaml" }).contents
        XCTAssertTrue(aws.contains("aws secretsmanager get-secret-value --region eu-west-1 --secret-id runner/bundle-key"))
        XCTAssertTrue(aws.contains("aws ssm get-parameter --region eu-west-1 --with-decryption --name /runner/api-keys"))
    }

    func testVariables() throws {
        var variables = Variables(["A": "1", "EMPTY": "", "NONE": "None"])
        XCTAssertEqual(try variables.expand("x${A}y${A}"), "x1y1")
        XCTAssertThrowsError(try variables.expand("${B}")) { XCTAssertEqual($0 as? DeployError, .missingVariable("B", in: "${B}")) }
        XCTAssertTrue(variables.isSet("A"))
        XCTAssertFalse(variables.isSet("EMPTY"))
        XCTAssertFalse(variables.isSet("NONE"))
        XCTAssertFalse(variables.isSet("B"))
        variables["B"] = "2"
        XCTAssertEqual(Variables.references(in: "${A}-${B}"), ["A", "B"])
    }
}
