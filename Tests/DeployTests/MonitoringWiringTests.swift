import Foundation
import XCTest
@testable import Deploy
import Monitor
import Tabular

/// The alerting `runner monitor --emit` and deploy targets write: Prometheus rules that
/// `promtool check rules` and SchemaStore's schema accept, CloudWatch alarms created on
/// moto_server and listed by `aws cloudwatch describe-alarms`, az's parser taking every Azure
/// command, and the Ops Agent, alert policy, data collection rule and ConfigMap files with
/// the structure their platforms read.
final class MonitoringWiringTests: XCTestCase {
    private let wiring = MonitoringWiring(model: "penguins \"v2\"", scrapeTarget: "localhost:8080")
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-wiring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ platform: MonitoringWiring.Platform) throws -> URL {
        let target = folder.appendingPathComponent(platform.rawValue)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for file in wiring.files(for: platform) {
            try file.contents.write(to: target.appendingPathComponent(file.path), atomically: true, encoding: .utf8)
            if file.executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target.appendingPathComponent(file.path).path) }
        }
        return target
    }

    /// Runs Python with the YAML/JSON loaders on a small script; returns its output.
    private func python(_ script: String, _ arguments: [String]) throws -> String {
        let result = try ReferenceTools.run([ReferenceTools.python, "-c", script] + arguments)
        XCTAssertEqual(result.status, 0, result.output)
        return result.output
    }

    func testPrometheusRulesPassPromtoolAndTheSchema() throws {
        let target = try write(.prometheus)
        let rules = target.appendingPathComponent("runner-alerts.rules.yml").path
        let promtool = try ReferenceTools.path("promtool", required: ReferenceTools.required)
        let checked = try ReferenceTools.run([promtool, "check", "rules", rules])
        XCTAssertEqual(checked.status, 0, checked.output)
        XCTAssertTrue(checked.output.contains("SUCCESS: 7 rules found"), checked.output)
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/monitor/prometheus-rules.schema.json").path
        let output = try python("""
            import json, sys, yaml, jsonschema
            rules = yaml.safe_load(open(sys.argv[1]))
            jsonschema.validate(rules, json.load(open(sys.argv[2])))
            names = [rule["alert"] for group in rules["groups"] for rule in group["rules"]]
            print(" ".join(names))
            print(rules["groups"][0]["rules"][3]["expr"])
            """, [rules, schema])
        XCTAssertTrue(output.contains("RunnerDown RunnerHighErrorRate RunnerHighLatencyP99 RunnerDriftAlert RunnerDriftWarning RunnerFeatureDrift RunnerSchemaFailures"), output)
        XCTAssertTrue(output.contains(#"max by (model) (runner_drift_status{model="penguins \"v2\""}) >= 2"#), output)
        // The dashboard's queries are valid PromQL: promtool checks them as recording rules.
        let dashboard = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: target.appendingPathComponent("grafana-dashboard.json"))) as? [String: Any])
        let panels = try XCTUnwrap(dashboard["panels"] as? [[String: Any]])
        let expressions = panels.compactMap { (($0["targets"] as? [[String: Any]])?.first?["expr"]) as? String }
        XCTAssertEqual(expressions.count, wiring.dashboardQueries.count)
        let recording = "groups:\n  - name: dashboard\n    rules:\n" + expressions.enumerated().map { index, expression in
            "      - record: runner:dashboard_\(index)\n        expr: \(JSONString.quoted(expression))\n"
        }.joined()
        let recordingPath = target.appendingPathComponent("dashboard-queries.yml")
        try recording.write(to: recordingPath, atomically: true, encoding: .utf8)
        let queries = try ReferenceTools.run([promtool, "check", "rules", recordingPath.path])
        XCTAssertEqual(queries.status, 0, queries.output)
        let scrape = try python("import sys, yaml; c = yaml.safe_load(open(sys.argv[1])); print(c['scrape_configs'][0]['job_name'], c['scrape_configs'][0]['static_configs'][0]['targets'])",
                                [target.appendingPathComponent("prometheus-scrape.yml").path])
        XCTAssertTrue(scrape.contains("runner ['localhost:8080']"), scrape)
    }

    func testCloudWatchAlarmsAreCreatedOnMoto() throws {
        let target = try write(.aws)
        let aws = try ReferenceTools.path("aws")
        let motoServer = try ReferenceTools.path("moto_server")
        let port = try FreePort.find()
        let moto = Process()
        moto.executableURL = URL(fileURLWithPath: motoServer)
        moto.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        moto.standardOutput = FileHandle.nullDevice
        moto.standardError = FileHandle.nullDevice
        try moto.run()
        defer {
            moto.terminate()
            moto.waitUntilExit()
        }
        let environment = [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "eu-west-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "PATH": URL(fileURLWithPath: aws).deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
        ]
        // moto_server is ready when it answers: wait for that event, not for a time.
        var topic: [String: Any]?
        for _ in 0..<600 where topic == nil {
            let created = try ReferenceTools.run([aws, "sns", "create-topic", "--name", "runner-alarms", "--output", "json"], environment: environment)
            if created.status == 0 { topic = try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: Any] } else { usleep(200_000) }
        }
        let arn = try XCTUnwrap(topic?["TopicArn"] as? String, "moto_server never answered")
        let script = try ReferenceTools.run([target.appendingPathComponent("cloudwatch-alarms.sh").path], environment: environment.merging(["RUNNER_ALARM_TOPIC": arn]) { $1 })
        XCTAssertEqual(script.status, 0, script.output)
        let listed = try ReferenceTools.run([aws, "cloudwatch", "describe-alarms", "--output", "json"], environment: environment)
        XCTAssertEqual(listed.status, 0, listed.output)
        let alarms = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any])?["MetricAlarms"] as? [[String: Any]])
        XCTAssertEqual(Set(alarms.compactMap { $0["AlarmName"] as? String }), Set(wiring.cloudWatchAlarmNames))
        let alert = try XCTUnwrap(alarms.first { $0["AlarmName"] as? String == wiring.cloudWatchAlarmNames[0] })
        XCTAssertEqual(alert["MetricName"] as? String, DriftMetrics.status)
        XCTAssertEqual(alert["Namespace"] as? String, MonitoringWiring.cloudWatchNamespace)
        XCTAssertEqual(alert["Threshold"] as? Double, 2)
        XCTAssertEqual(alert["AlarmActions"] as? [String], [arn])
        XCTAssertEqual((alert["Dimensions"] as? [[String: String]])?.first?["Value"], "penguins \"v2\"")
        // Without a topic the script stops before creating anything, saying what it needs.
        let refused = try ReferenceTools.run([target.appendingPathComponent("cloudwatch-alarms.sh").path], environment: environment)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.output.contains("set RUNNER_ALARM_TOPIC"), refused.output)
        // The agent's configuration scrapes the same job the alarms' metrics come from.
        let agent = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: target.appendingPathComponent("amazon-cloudwatch-agent.json"))) as? [String: Any])
        let prometheus = try XCTUnwrap(((agent["logs"] as? [String: Any])?["metrics_collected"] as? [String: Any])?["prometheus"] as? [String: Any])
        let emf = try XCTUnwrap(prometheus["emf_processor"] as? [String: Any])
        XCTAssertEqual(emf["metric_namespace"] as? String, "Runner")
        let selectors = (emf["metric_declaration"] as? [[String: Any]] ?? []).flatMap { $0["metric_selectors"] as? [String] ?? [] }
        XCTAssertTrue(selectors.contains("^runner_drift_status$"), "\(selectors)")
    }

    func testAzureCommandsParseAndFilesHaveTheirStructure() throws {
        let target = try write(.azure)
        let rule = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: target.appendingPathComponent("data-collection-rule.json"))) as? [String: Any])
        let properties = try XCTUnwrap(rule["properties"] as? [String: Any])
        let forwarder = try XCTUnwrap(((properties["dataSources"] as? [String: Any])?["prometheusForwarder"] as? [[String: Any]])?.first)
        XCTAssertEqual(forwarder["streams"] as? [String], ["Microsoft-PrometheusMetrics"])
        let flow = try XCTUnwrap((properties["dataFlows"] as? [[String: Any]])?.first)
        let destination = try XCTUnwrap(((properties["destinations"] as? [String: Any])?["monitoringAccounts"] as? [[String: Any]])?.first)
        XCTAssertEqual(flow["destinations"] as? [String], [destination["name"] as? String ?? ""])
        let configMap = try python("""
            import sys, yaml
            document = yaml.safe_load(open(sys.argv[1]))
            inner = yaml.safe_load(document["data"]["prometheus-config"])
            print(document["kind"], document["metadata"]["name"], document["metadata"]["namespace"], inner["scrape_configs"][0]["job_name"])
            """, [target.appendingPathComponent("ama-metrics-prometheus-config.yaml").path])
        XCTAssertTrue(configMap.contains("ConfigMap ama-metrics-prometheus-config kube-system runner"), configMap)

        let variables = Variables(["RESOURCE_GROUP": "ml", "LOCATION": "westeurope", "DEPLOY_DIR": target.path,
                                   "WORKSPACE_ID": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml/providers/microsoft.monitor/accounts/runner",
                                   "ACTION_GROUP_ID": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml/providers/microsoft.insights/actionGroups/oncall"])
        let steps = wiring.azureSteps()
        XCTAssertEqual(steps.count, 3)
        try AzParser.check(steps, variables: variables, configFolder: folder.appendingPathComponent("az-config"))
    }

    func testOpsAgentAndAlertPoliciesHaveTheirStructure() throws {
        let target = try write(.gcp)
        let agent = try python("""
            import sys, yaml
            config = yaml.safe_load(open(sys.argv[1]))
            receiver = config["metrics"]["receivers"]["runner_prometheus"]
            assert receiver["type"] == "prometheus"
            job = receiver["config"]["scrape_configs"][0]
            assert config["metrics"]["service"]["pipelines"]["runner_prometheus"]["receivers"] == ["runner_prometheus"]
            print(job["job_name"], job["metrics_path"], job["static_configs"][0]["targets"][0])
            """, [target.appendingPathComponent("ops-agent.yaml").path])
        XCTAssertTrue(agent.contains("runner /metrics localhost:8080"), agent)
        for name in ["drift-alert", "drift-warning", "down"] {
            let policy = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: target.appendingPathComponent("alert-policy-\(name).json"))) as? [String: Any])
            XCTAssertEqual(policy["combiner"] as? String, "OR")
            let condition = try XCTUnwrap((policy["conditions"] as? [[String: Any]])?.first?["conditionPrometheusQueryLanguage"] as? [String: Any])
            XCTAssertTrue((condition["query"] as? String)?.contains(#"{model="penguins \"v2\""}"#) == true, "\(condition)")
            XCTAssertTrue((condition["duration"] as? String)?.hasSuffix("s") == true)
        }
        let script = try String(contentsOf: target.appendingPathComponent("gcp-alerts.sh"), encoding: .utf8)
        XCTAssertTrue(script.contains("gcloud alpha monitoring policies create \"--policy-from-file=${DEPLOY_DIR}/alert-policy-drift-alert.json\""), script)
    }

    /// Every deploy target writes its platform's alerting under monitoring/.
    func testDeployTargetsCarryTheirAlerting() {
        for (target, expected) in [(DeployFixtures.aws, "monitoring/cloudwatch-alarms.sh"), (DeployFixtures.azure, "monitoring/azure-alerts.sh"),
                                   (DeployFixtures.gcp, "monitoring/ops-agent.yaml"), (DeployFixtures.kubernetes, "monitoring/runner-alerts.rules.yml")] {
            let plan = DeploymentPlan.make(target, DeployFixtures.subject)
            XCTAssertTrue(plan.files.contains { $0.path == expected }, "\(target.name.value): \(plan.files.map(\.path))")
        }
    }
}

enum FreePort {
    /// A port nothing listens on now (the kernel's choice for a socket bound to port 0).
    static func find() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw ToolMissing(description: "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
