@testable import Pipelines
import XCTest
import Yams

/// The structure each system's file must have (its schema is checked by the CLI tests with
/// the real validators; here, what the jobs do and in which order).
final class PipelineRenderTests: XCTestCase {
    private func specs() throws -> [LoadedSpec] {
        [try PipelineFixtures.loaded(PipelineFixtures.spec(deploy: PipelineFixtures.targets)),
         try PipelineFixtures.loaded(PipelineFixtures.spec(name: "Sales_Forecast.v2", tests: false), path: "sales.yaml")]
    }

    private func load(_ text: String) throws -> [String: Any] { try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any], text) }

    func testGitLabJobsFormTheDAGWithShardsGatesAndReports() throws {
        let plan = try PipelineFixtures.plan(.gitlab, try specs(), shards: 3, remote: "s3://team/ci")
        let text = Pipeline.render(plan)
        let pipeline = try load(text)
        XCTAssertEqual(pipeline["stages"] as? [String], ["validate", "shard", "test", "package", "verify", "image", "deploy"])
        XCTAssertEqual((pipeline["variables"] as? [String: String])?["RUNNER_REMOTE"], "s3://team/ci")
        let job = { (name: String) throws -> [String: Any] in try XCTUnwrap(pipeline[name] as? [String: Any], "no job \(name) in\n\(text)") }
        let shard = try job("shard-churn")
        let matrix = try XCTUnwrap(((shard["parallel"] as? [String: Any])?["matrix"] as? [[String: [String]]])?.first)
        XCTAssertEqual(matrix["RUNNER_SHARD"], ["1/3", "2/3", "3/3"])
        XCTAssertEqual(shard["script"] as? [String], ["\"${RUNNER}\" run experiments/churn.yaml --shard auto --quiet"])
        XCTAssertEqual(try job("test-churn")["needs"] as? [String], ["shard-churn"])
        let reports = try XCTUnwrap((try job("test-churn")["artifacts"] as? [String: Any])?["reports"] as? [String: String])
        XCTAssertEqual(reports["junit"], "reports/churn-tests.xml")
        XCTAssertEqual(try job("package-churn")["needs"] as? [String], ["test-churn"])
        XCTAssertEqual(try job("verify-churn")["script"] as? [String], ["\"${RUNNER}\" verify experiments/churn.yaml --quiet"])
        // An experiment without tests: the package job gathers the shards itself; no deploy jobs.
        XCTAssertEqual(try job("package-sales-forecast-v2")["needs"] as? [String], ["shard-sales-forecast-v2"])
        XCTAssertNil(pipeline["test-sales-forecast-v2"])
        XCTAssertNil(pipeline["image-sales-forecast-v2"])
        for target in ["local", "cluster", "prod-aws", "prod-azure", "prod-gcp"] {
            let deploy = try job("deploy-churn-\(target)")
            XCTAssertEqual((deploy["environment"] as? [String: String])?["name"], target)
            XCTAssertEqual(deploy["needs"] as? [String], ["package-churn", "verify-churn", "image-churn"])
            let rules = try XCTUnwrap(deploy["rules"] as? [[String: String]])
            XCTAssertEqual(rules, [["if": "$CI_COMMIT_BRANCH == \"main\""]])
            XCTAssertEqual(deploy["when"] as? String, "manual")
            XCTAssertEqual((deploy["script"] as? [String])?.last, "\"${RUNNER}\" deploy experiments/churn.yaml --target \(target) --apply --out out/churn --quiet")
        }
        XCTAssertTrue((try job("deploy-churn-prod-azure")["script"] as? [String])?.first?.hasPrefix("az login --service-principal") == true)
        XCTAssertTrue((try job("deploy-churn-cluster")["script"] as? [String])?.contains { $0.contains("login --username \"${REGISTRY_USER}\" --password-stdin registry.example.com") } == true)
        // Without --shards, no shard stage; the tests follow validate.
        let single = try load(Pipeline.render(try PipelineFixtures.plan(.gitlab, try specs(), remote: "s3://team/ci")))
        XCTAssertFalse((single["stages"] as? [String])?.contains("shard") ?? true)
        XCTAssertEqual((single["test-churn"] as? [String: Any])?["needs"] as? [String], ["validate"])
    }

    func testGitHubJobsMapSecretsPerJobAndGateDeploysByEnvironment() throws {
        let text = Pipeline.render(try PipelineFixtures.plan(.github, try specs(), shards: 2))
        let workflow = try load(text)
        XCTAssertNotNil(workflow["on"] as? [String: Any], "'on' must stay a string key")
        XCTAssertEqual((workflow["env"] as? [String: String])?["RUNNER_REMOTE"], "${{ vars.RUNNER_REMOTE }}")
        let jobs = try XCTUnwrap(workflow["jobs"] as? [String: [String: Any]])
        let shard = try XCTUnwrap(jobs["shard-churn"])
        XCTAssertEqual(((shard["strategy"] as? [String: Any])?["matrix"] as? [String: [String]])?["shard"], ["1/2", "2/2"])
        let environment = try XCTUnwrap(shard["env"] as? [String: String])
        XCTAssertEqual(environment["RUNNER_SHARD"], "${{ matrix.shard }}")
        XCTAssertEqual(environment["AWS_SECRET_ACCESS_KEY"], "${{ secrets.AWS_SECRET_ACCESS_KEY }}")
        XCTAssertNil((jobs["verify-churn"]?["env"] as? [String: String])?["AWS_SECRET_ACCESS_KEY"], "verify reads no remote")
        let deploy = try XCTUnwrap(jobs["deploy-churn-prod-gcp"])
        XCTAssertEqual(deploy["environment"] as? String, "prod-gcp")
        XCTAssertEqual(deploy["needs"] as? [String], ["package-churn", "verify-churn", "image-churn"])
        XCTAssertEqual((deploy["env"] as? [String: String])?["GOOGLE_APPLICATION_CREDENTIALS_CONTENT"], "${{ secrets.GOOGLE_APPLICATION_CREDENTIALS }}")
        let steps = try XCTUnwrap(deploy["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.first?["uses"] as? String, "actions/checkout@v4")
        XCTAssertTrue((steps[1]["run"] as? String)?.contains("umask 077") == true, "a file secret is written readable by the job only")
        let upload = try XCTUnwrap((jobs["test-churn"]?["steps"] as? [[String: Any]])?.last)
        XCTAssertEqual(upload["uses"] as? String, "actions/upload-artifact@v4")
        XCTAssertEqual(upload["if"] as? String, "always()")
    }

    func testJenkinsStagesRunInOrderWithParallelShardsAndAnInputBeforeEachDeploy() throws {
        let text = Pipeline.render(try PipelineFixtures.plan(.jenkins, try specs(), shards: 2, image: "registry.example.com/runner-ci:1"))
        let stages = text.components(separatedBy: "\n").compactMap { line -> String? in
            guard let start = line.range(of: "stage('") else { return nil }
            return String(line[start.upperBound...].prefix { $0 != "'" })
        }
        XCTAssertEqual(stages, ["validate", "shard churn", "shard churn 1/2", "shard churn 2/2", "test churn", "package churn", "verify churn", "image churn",
                                "deploy churn to local", "deploy churn to cluster", "deploy churn to prod-aws", "deploy churn to prod-azure", "deploy churn to prod-gcp",
                                "shard sales-forecast-v2", "shard sales-forecast-v2 1/2", "shard sales-forecast-v2 2/2", "package sales-forecast-v2", "verify sales-forecast-v2"])
        XCTAssertTrue(text.contains("agent { docker { image 'registry.example.com/runner-ci:1' } }"))
        XCTAssertTrue(text.contains("AWS_SECRET_ACCESS_KEY = credentials('AWS_SECRET_ACCESS_KEY')"))
        XCTAssertTrue(text.contains("junit testResults: 'reports/churn-tests.xml'"))
        XCTAssertEqual(text.components(separatedBy: "input {").count - 1, 5)
        XCTAssertEqual(text.components(separatedBy: "parallel {").count - 1, 2)
        // The Azure deploy stage adds its own credentials.
        let azure = try XCTUnwrap(text.range(of: "stage('deploy churn to prod-azure')"))
        XCTAssertTrue(text[azure.upperBound...].prefix(600).contains("AZURE_CLIENT_SECRET = credentials('AZURE_CLIENT_SECRET')"))
    }

    func testJenkinsStringsKeepQuotesAndBackslashesForTheShell() {
        XCTAssertEqual(JenkinsPipeline.groovy("echo 'a' \\ $HOME"), "'echo \\'a\\' \\\\ $HOME'")
        XCTAssertEqual(JenkinsPipeline.shell(["a", "b '''c''' \\d"], indent: 0), ["sh '''", "    a", "    b \\'\\'\\'c\\'\\'\\' \\\\d", "'''"])
    }

    func testKubernetesHasAnIndexedShardJobAndASuspendedGather() throws {
        let spec = try PipelineFixtures.loaded(PipelineFixtures.spec(extra: "package: {encrypt: {key_env: BUNDLE_KEY}}\n"))
        var options = PipelineOptions(system: .kubernetes, commandLine: "runner ci kubernetes")
        options.shards = 4
        options.remote = "s3://team/ci"
        options.image = "registry.example.com/runner-ci:1"
        options.namespace = "ml"
        let text = Pipeline.render(try PipelinePlan.make(specs: [spec], root: PipelineFixtures.root, options: options))
        let documents = try Yams.load_all(yaml: text).map { try XCTUnwrap($0 as? [String: Any]) }
        XCTAssertEqual(documents.map { $0["kind"] as? String }, ["ServiceAccount", "Job", "Job"])
        let shards = try XCTUnwrap(documents[1]["spec"] as? [String: Any])
        XCTAssertEqual(shards["completionMode"] as? String, "Indexed")
        XCTAssertEqual(shards["completions"] as? Int, 4)
        XCTAssertEqual(shards["parallelism"] as? Int, 4)
        let pod = try XCTUnwrap((shards["template"] as? [String: Any])?["spec"] as? [String: Any])
        XCTAssertEqual(pod["automountServiceAccountToken"] as? Bool, false)
        let container = try XCTUnwrap((pod["containers"] as? [[String: Any]])?.first)
        XCTAssertEqual(container["command"] as? [String], ["runner", "run", "experiments/churn.yaml", "--shard", "auto", "--quiet"])
        let env = try XCTUnwrap(container["env"] as? [[String: Any]])
        XCTAssertEqual(env.first { $0["name"] as? String == "RUNNER_SHARD_TOTAL" }?["value"] as? String, "4")
        XCTAssertEqual(env.first { $0["name"] as? String == "RUNNER_REMOTE" }?["value"] as? String, "s3://team/ci")
        let key = try XCTUnwrap(env.first { $0["name"] as? String == "BUNDLE_KEY" }?["valueFrom"] as? [String: [String: String]])
        XCTAssertEqual(key["secretKeyRef"], ["name": "runner-ci", "key": "BUNDLE_KEY"])
        let security = try XCTUnwrap(container["securityContext"] as? [String: Any])
        XCTAssertEqual(security["readOnlyRootFilesystem"] as? Bool, true)
        XCTAssertEqual(security["allowPrivilegeEscalation"] as? Bool, false)
        let gather = try XCTUnwrap(documents[2]["spec"] as? [String: Any])
        XCTAssertEqual(gather["suspend"] as? Bool, true)
        XCTAssertNil(gather["completionMode"])
        XCTAssertTrue(text.contains("kubectl wait --for=condition=complete --timeout=24h job/runner-churn-shards -n ml"))
    }

    /// Values never reach a generated file: only the names of the variables holding them.
    func testNoSecretValueIsWrittenAnywhere() throws {
        let secret = "s3cr3t-value-\(UUID().uuidString)"
        setenv("PIPELINE_TEST_DATABASE_URL", "postgres://ml:\(secret)@db.example.com:5432/ml", 1)
        defer { unsetenv("PIPELINE_TEST_DATABASE_URL") }
        let text = PipelineFixtures.spec(deploy: PipelineFixtures.targets).replacingOccurrences(
            of: "data: {source: data/churn.csv, target: churned}",
            with: "data: {source: {postgres: {url_env: PIPELINE_TEST_DATABASE_URL}, query: \"SELECT * FROM churn\"}, target: churned}")
        let spec = try PipelineFixtures.loaded(text)
        for system in CISystem.allCases {
            let rendered = Pipeline.render(try PipelineFixtures.plan(system, [spec], shards: 2, remote: "s3://team/ci", image: "runner-ci:1"))
            XCTAssertFalse(rendered.contains(secret), "\(system)")
            XCTAssertTrue(rendered.contains("PIPELINE_TEST_DATABASE_URL"), "\(system) names the variable")
        }
    }
}
