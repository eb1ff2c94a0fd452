@testable import Pipelines
import XCTest

final class PipelinePlanTests: XCTestCase {
    func testSpecPathsAreRelativeToTheRepositoryRoot() throws {
        XCTAssertEqual(try PipelinePlan.relativePath("experiments/a.yaml", root: "/repo"), "experiments/a.yaml")
        XCTAssertEqual(try PipelinePlan.relativePath("./experiments/../experiments/a.yaml", root: "/repo/"), "experiments/a.yaml")
        XCTAssertEqual(try PipelinePlan.relativePath("/repo/a.json", root: "/repo"), "a.json")
        XCTAssertThrowsError(try PipelinePlan.relativePath("../elsewhere/a.yaml", root: "/repo")) { error in
            XCTAssertEqual(error as? PipelineError, .specOutsideRepository(spec: "../elsewhere/a.yaml", root: "/repo"))
        }
        XCTAssertThrowsError(try PipelinePlan.relativePath("/repository-two/a.yaml", root: "/repo"))
    }

    func testJobNamesAreValidIdentifiersOnEverySystem() {
        XCTAssertEqual(PipelinePlan.jobName("penguins"), "penguins")
        XCTAssertEqual(PipelinePlan.jobName("Churn model v2"), "churn-model-v2")
        XCTAssertEqual(PipelinePlan.jobName("__x__y__"), "x-y")
        XCTAssertEqual(PipelinePlan.jobName("2024_sales"), "x2024-sales")
        XCTAssertEqual(PipelinePlan.jobName(String(repeating: "a", count: 90)).count, 40)
    }

    func testTwoSpecsOfOneExperimentAreRefused() throws {
        let first = try PipelineFixtures.loaded(PipelineFixtures.spec(), path: "experiments/churn.yaml")
        let second = try PipelineFixtures.loaded(PipelineFixtures.spec(), path: "experiments/churn-copy.yaml")
        XCTAssertThrowsError(try PipelineFixtures.plan(.gitlab, [first, second])) { error in
            XCTAssertEqual(error as? PipelineError, .duplicateExperiment(name: "churn", first: "experiments/churn.yaml", second: "experiments/churn-copy.yaml"))
        }
    }

    func testShardCountAndKubernetesRequirementsAreChecked() throws {
        let spec = try PipelineFixtures.loaded(PipelineFixtures.spec())
        for shards in [0, 201] {
            XCTAssertThrowsError(try PipelineFixtures.plan(.gitlab, [spec], shards: shards)) { error in
                XCTAssertEqual(error as? PipelineError, .invalidShardCount(shards))
            }
        }
        XCTAssertThrowsError(try PipelineFixtures.plan(.kubernetes, [spec], remote: "s3://b/p")) { error in
            XCTAssertEqual(error as? PipelineError, .imageRequired(system: .kubernetes))
        }
        XCTAssertThrowsError(try PipelineFixtures.plan(.kubernetes, [spec], image: "runner-ci:1")) { error in
            XCTAssertEqual(error as? PipelineError, .remoteRequired(system: .kubernetes))
        }
        // The spec's own remote is enough.
        let withRemote = try PipelineFixtures.loaded(PipelineFixtures.spec(remote: "s3://team/store"))
        XCTAssertEqual(try PipelineFixtures.plan(.kubernetes, [withRemote], image: "runner-ci:1").experiments[0].remote, "s3://team/store")
    }

    func testVariablesNameEverySecretTheSpecAndItsTargetsRead() throws {
        let encrypted = try PipelineFixtures.loaded(PipelineFixtures.spec(extra: "package: {encrypt: {key_env: BUNDLE_KEY}}\n"))
        let keyed = try PipelineFixtures.plan(.gitlab, [encrypted]).experiments[0]
        XCTAssertEqual(keyed.variables.map(\.name), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "BUNDLE_KEY"])
        XCTAssertEqual(keyed.dataVariables.map(\.name), ["BUNDLE_KEY"])
        let plan = try PipelineFixtures.plan(.gitlab, [try PipelineFixtures.loaded(PipelineFixtures.spec(deploy: PipelineFixtures.targets))])
        let experiment = plan.experiments[0]
        XCTAssertEqual(experiment.variables.map(\.name), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
        let byTarget = Dictionary(uniqueKeysWithValues: experiment.targets.map { ($0.name, $0.variables.map(\.name)) })
        XCTAssertEqual(byTarget["local"], ["API_KEYS_FILE"])
        XCTAssertEqual(byTarget["cluster"], ["KUBECONFIG", "REGISTRY_PASSWORD", "REGISTRY_USER"])
        XCTAssertEqual(byTarget["prod-aws"], ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
        XCTAssertEqual(byTarget["prod-azure"], ["AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID"])
        XCTAssertEqual(byTarget["prod-gcp"], ["GOOGLE_APPLICATION_CREDENTIALS"])
        XCTAssertEqual(experiment.targets.first { $0.name == "cluster" }?.registryHost, "registry.example.com")
        XCTAssertEqual(plan.variables.map(\.name), ["API_KEYS_FILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID",
                                                    "GOOGLE_APPLICATION_CREDENTIALS", "KUBECONFIG", "REGISTRY_PASSWORD", "REGISTRY_USER", "RUNNER_REMOTE"])
    }

    func testAFileRemoteNeedsNoAWSCredentials() throws {
        let plan = try PipelineFixtures.plan(.gitlab, [try PipelineFixtures.loaded(PipelineFixtures.spec())], remote: "file:///mnt/shared/store")
        XCTAssertEqual(plan.variables, [])
        XCTAssertFalse(plan.needsRemoteVariable)
    }

    func testEnvironmentNamesAreFoundWhereverTheSpecWritesThem() {
        let text = """
            data:
              source: {postgres: {url_env: DATABASE_URL, password_env: PGPASS}, query: "SELECT 1"}
            package: {encrypt: {key_env: BUNDLE_KEY}}
            deploy:
              - {name: a, type: container, secrets: {tls_cert: {env: CERT_PATH}, tls_key: {env: KEY_PATH}}}
            """
        XCTAssertEqual(SpecVariables.names(in: text), ["DATABASE_URL", "PGPASS", "BUNDLE_KEY", "CERT_PATH", "KEY_PATH"])
        XCTAssertEqual(SpecVariables.names(in: "{\"package\": {\"encrypt\": {\"key_env\": \"K\"}}}"), ["K"])
        XCTAssertEqual(SpecVariables.names(in: ": not yaml: ["), [])
    }
}
