import Foundation
import Monitor
import Tabular

/// Alerting for a served model on each platform, from the metric names the server and
/// `runner monitor --prometheus` expose (`DriftMetrics`): Prometheus alert rules (drift,
/// error rate, p99 latency, down), the CloudWatch agent's Prometheus scraping and
/// `aws cloudwatch put-metric-alarm` commands, Azure Monitor's Prometheus scraping with a data
/// collection rule and `az monitor metrics alert create`, the Google Cloud Ops Agent's
/// Prometheus receiver with Cloud Monitoring alert policies. Deploy targets write these
/// beside their other files; `runner monitor --emit PLATFORM` writes them for any bundle.
public struct MonitoringWiring: Sendable {
    public enum Platform: String, Sendable, CaseIterable {
        case prometheus, aws, azure, gcp
    }

    /// The experiment name: every drift series' `model` label.
    public var model: String
    /// host:port the server's /metrics answers on, as the agent on the machine sees it.
    public var scrapeTarget: String
    /// Alert when more than this share of requests fail with 5xx over 5 minutes.
    public var errorRate = 0.01
    /// Alert when the 99th percentile of request time is above this, in seconds.
    public var latencyP99 = 0.25

    public init(model: String, scrapeTarget: String) {
        self.model = model
        self.scrapeTarget = scrapeTarget
    }

    /// The Prometheus job name every scrape configuration uses (the `up` series' label).
    public static let job = "runner"
    public static let cloudWatchNamespace = "Runner"

    private var slug: String {
        String(model.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    public func files(for platform: Platform) -> [GeneratedFile] {
        let rules = GeneratedFile("runner-alerts.rules.yml", prometheusRules())
        switch platform {
        case .prometheus:
            return [rules, GeneratedFile("prometheus-scrape.yml", prometheusScrape(indent: 0)), GeneratedFile("grafana-dashboard.json", grafanaDashboard())]
        case .aws:
            return [rules, GeneratedFile("amazon-cloudwatch-agent.json", cloudWatchAgent()),
                    GeneratedFile("prometheus.yaml", prometheusScrape(indent: 0)),
                    GeneratedFile("cloudwatch-alarms.sh", ShellScript.render(
                        header: ["CloudWatch alarms for the drift metrics of '\(model)' (runner monitor --emit aws).",
                                 "Needs the AWS CLI with credentials and RUNNER_ALARM_TOPIC, the SNS topic ARN alarms notify."],
                        preamble: [.init("ALARM_TOPIC", "\"${RUNNER_ALARM_TOPIC:?set RUNNER_ALARM_TOPIC to the SNS topic ARN alarms notify}\"", "Where alarms go.")],
                        steps: cloudWatchAlarms(topic: "${ALARM_TOPIC}")), executable: true)]
        case .azure:
            return [rules, GeneratedFile("data-collection-rule.json", azureDataCollectionRule()),
                    GeneratedFile("ama-metrics-prometheus-config.yaml", azureScrapeConfigMap()),
                    GeneratedFile("azure-alerts.sh", ShellScript.render(
                        header: ["Azure Monitor wiring for '\(model)' (runner monitor --emit azure): the data collection rule that",
                                 "forwards the scraped Prometheus metrics to an Azure Monitor workspace, and metric alerts on them.",
                                 "Needs az logged in, AZURE_RESOURCE_GROUP, AZURE_LOCATION, AZURE_MONITOR_WORKSPACE_ID and AZURE_ACTION_GROUP_ID."],
                        preamble: [
                            .init("RESOURCE_GROUP", "\"${AZURE_RESOURCE_GROUP:?set AZURE_RESOURCE_GROUP}\"", "The resource group the rule and alerts go in."),
                            .init("LOCATION", "\"${AZURE_LOCATION:?set AZURE_LOCATION}\"", "The region of the workspace."),
                            .init("WORKSPACE_ID", "\"${AZURE_MONITOR_WORKSPACE_ID:?set AZURE_MONITOR_WORKSPACE_ID to the Azure Monitor workspace resource id}\"", "Where the metrics go."),
                            .init("ACTION_GROUP_ID", "\"${AZURE_ACTION_GROUP_ID:?set AZURE_ACTION_GROUP_ID to the action group alerts notify}\"", "Who is told."),
                            .init("DEPLOY_DIR", "\"$(cd \"$(dirname \"$0\")\" && pwd)\"", "This folder (the rule file is read from it)."),
                        ],
                        steps: azureSteps()), executable: true)]
        case .gcp:
            return [rules, GeneratedFile("ops-agent.yaml", opsAgentConfig())]
                + gcpPolicies().map { GeneratedFile("alert-policy-\($0.name).json", $0.json) }
                + [GeneratedFile("gcp-alerts.sh", ShellScript.render(
                    header: ["Cloud Monitoring alert policies for '\(model)' (runner monitor --emit gcp).",
                             "Needs gcloud with the alpha component, logged in to the project the Ops Agent reports to."],
                    preamble: [.init("DEPLOY_DIR", "\"$(cd \"$(dirname \"$0\")\" && pwd)\"", "This folder (the policies are read from it).")],
                    steps: gcpPolicies().map { policy in
                        CommandStep("alert policy \(policy.name)", ["gcloud", "alpha", "monitoring", "policies", "create", "--policy-from-file=${DEPLOY_DIR}/alert-policy-\(policy.name).json"])
                    }), executable: true)]
        }
    }

    /// What to do with the files, printed after writing them.
    public func instructions(for platform: Platform) -> [String] {
        switch platform {
        case .prometheus:
            return ["add runner-alerts.rules.yml to rule_files and the job in prometheus-scrape.yml to scrape_configs; check with: promtool check rules runner-alerts.rules.yml",
                    "import grafana-dashboard.json in Grafana (Dashboards > New > Import) and pick the Prometheus data source"]
        case .aws:
            return ["install the CloudWatch agent, copy prometheus.yaml to /opt/aws/amazon-cloudwatch-agent/var/prometheus.yaml and load amazon-cloudwatch-agent.json (amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:amazon-cloudwatch-agent.json); then RUNNER_ALARM_TOPIC=arn:aws:sns:... ./cloudwatch-alarms.sh"]
        case .azure:
            return ["AKS: kubectl apply -f ama-metrics-prometheus-config.yaml (the managed Prometheus add-on scrapes the server); then ./azure-alerts.sh with AZURE_RESOURCE_GROUP, AZURE_LOCATION, AZURE_MONITOR_WORKSPACE_ID and AZURE_ACTION_GROUP_ID set"]
        case .gcp:
            return ["merge ops-agent.yaml into /etc/google-cloud-ops-agent/config.yaml and restart google-cloud-ops-agent; then ./gcp-alerts.sh"]
        }
    }

    // MARK: Prometheus

    /// `{model="..."}` (and more matchers): a JSON string literal is a valid PromQL one (the
    /// same escapes).
    private func selector(_ more: String...) -> String { "{" + (["model=\(JSONString.quoted(model))"] + more).joined(separator: ",") + "}" }
    private var modelSelector: String { selector() }

    public func prometheusRules() -> String {
        struct Rule {
            var name, expression, duration, severity, summary, description: String
        }
        let rules = [
            Rule(name: "RunnerDown", expression: "up{job=\"\(Self.job)\"} == 0", duration: "2m", severity: "critical",
                 summary: "runner on {{ $labels.instance }} is down",
                 description: "Prometheus has not scraped /metrics of {{ $labels.instance }} for 2 minutes."),
            Rule(name: "RunnerHighErrorRate",
                 expression: "sum by (instance) (rate(runner_http_requests_total{job=\"\(Self.job)\",status=~\"5..\"}[5m])) / sum by (instance) (rate(runner_http_requests_total{job=\"\(Self.job)\"}[5m])) > \(errorRate)",
                 duration: "5m", severity: "critical", summary: "runner on {{ $labels.instance }} fails more than \(errorRate * 100)% of requests",
                 description: "{{ $value | humanizePercentage }} of requests ended with a 5xx status over the last 5 minutes."),
            Rule(name: "RunnerHighLatencyP99",
                 expression: "histogram_quantile(0.99, sum by (le, instance) (rate(runner_http_request_duration_seconds_bucket{job=\"\(Self.job)\"}[5m]))) > \(latencyP99)",
                 duration: "10m", severity: "warning", summary: "runner on {{ $labels.instance }} answers slowly",
                 description: "The 99th percentile of request time is {{ $value | humanizeDuration }} (the limit is \(latencyP99) s)."),
            Rule(name: "RunnerDriftAlert", expression: "max by (model) (\(DriftMetrics.status)\(modelSelector)) >= 2", duration: "15m", severity: "critical",
                 summary: "{{ $labels.model }}: the served inputs drifted from the training data",
                 description: "runner_drift_status is 2: a drift test fired or metrics on labelled rows dropped. runner monitor names the columns that moved; retrain with runner monitor --retrain."),
            Rule(name: "RunnerDriftWarning", expression: "max by (model) (\(DriftMetrics.status)\(modelSelector)) == 1", duration: "30m", severity: "warning",
                 summary: "{{ $labels.model }}: drift warnings", description: "runner_drift_status is 1: missing values, out-of-range values, unseen categories or PSI moved."),
            Rule(name: "RunnerFeatureDrift", expression: "max by (model, feature) (\(DriftMetrics.featureDriftDetected)\(modelSelector)) == 1", duration: "15m", severity: "warning",
                 summary: "{{ $labels.model }}: input column {{ $labels.feature }} drifted",
                 description: "The drift test of {{ $labels.feature }} fired; see runner_feature_drift for its statistic."),
            Rule(name: "RunnerSchemaFailures", expression: "sum by (model) (rate(runner_schema_failures_total\(modelSelector)[5m])) > 0.1", duration: "10m", severity: "warning",
                 summary: "{{ $labels.model }}: requests do not fit the model's inputs",
                 description: "{{ $value }} requests per second are refused for their input (runner_schema_failures_total names the column)."),
        ]
        var lines = [
            "# Alert rules for runner's model server, model '\(model)' (runner monitor --emit prometheus).",
            "# Check: promtool check rules runner-alerts.rules.yml",
            "groups:",
            "  - name: \(YAMLText.quote("runner-\(slug)"))",
            "    rules:",
        ]
        for rule in rules {
            lines += [
                "      - alert: \(rule.name)",
                "        expr: \(YAMLText.quote(rule.expression))",
                "        for: \(rule.duration)",
                "        labels:",
                "          severity: \(rule.severity)",
                "        annotations:",
                "          summary: \(YAMLText.quote(rule.summary))",
                "          description: \(YAMLText.quote(rule.description))",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A scrape job for the server's /metrics (Prometheus and the CloudWatch agent read the
    /// same `scrape_configs`).
    func prometheusScrape(indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        return [
            "# Scrape runner's /metrics (model '\(model)').",
            "global:",
            "  scrape_interval: 60s",
            "  scrape_timeout: 10s",
            "scrape_configs:",
            "  - job_name: \(Self.job)",
            "    metrics_path: /metrics",
            "    static_configs:",
            "      - targets: [\(YAMLText.quote(scrapeTarget))]",
            "        labels:",
            "          service: \(YAMLText.quote("runner-\(slug)"))",
        ].map { pad + $0 }.joined(separator: "\n") + "\n"
    }

    /// The queries of the Grafana dashboard, by panel title (also checked with promtool).
    public var dashboardQueries: [(title: String, expression: String, legend: String)] {
        [
            ("Drift status (0 ok, 1 warning, 2 alert)", "max by (model) (\(DriftMetrics.status)\(modelSelector))", "{{model}}"),
            ("Drifted input columns (share)", "max by (model) (\(DriftMetrics.driftedShare)\(modelSelector))", "{{model}}"),
            ("Drift statistic per column", "max by (feature, statistic) (\(DriftMetrics.featureDrift)\(selector("statistic!~\".*_p_value\"")))", "{{feature}} {{statistic}}"),
            ("Prediction drift", "max by (statistic) (\(DriftMetrics.predictionDrift)\(modelSelector))", "{{statistic}}"),
            ("Predicted classes (rows per second)", "sum by (class) (rate(runner_predicted_class_total\(modelSelector)[5m]))", "{{class}}"),
            ("Requests per second by status", "sum by (status) (rate(runner_http_requests_total{job=\"\(Self.job)\"}[5m]))", "{{status}}"),
            ("Request time, 99th percentile (s)", "histogram_quantile(0.99, sum by (le) (rate(runner_http_request_duration_seconds_bucket{job=\"\(Self.job)\"}[5m])))", "p99"),
            ("Schema failures per second by column", "sum by (column) (rate(runner_schema_failures_total\(modelSelector)[5m]))", "{{column}}"),
        ]
    }

    /// A Grafana dashboard over the same series (import it and pick the data source).
    func grafanaDashboard() -> String {
        let datasource: [String: Any] = ["type": "prometheus", "uid": "${DS_PROMETHEUS}"]
        let panels: [[String: Any]] = dashboardQueries.enumerated().map { index, query in
            [
                "id": index + 1,
                "type": index == 0 ? "stat" : "timeseries",
                "title": query.title,
                "datasource": datasource,
                "gridPos": ["h": 8, "w": 12, "x": (index % 2) * 12, "y": (index / 2) * 8],
                "targets": [["refId": "A", "expr": query.expression, "legendFormat": query.legend, "datasource": datasource]],
            ]
        }
        return JSONText.pretty([
            "title": "runner: \(model)",
            "uid": "runner-\(slug)".prefix(40).description,
            "schemaVersion": 39,
            "tags": ["runner", "drift"],
            "time": ["from": "now-24h", "to": "now"],
            "refresh": "1m",
            "templating": ["list": [["name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource", "query": "prometheus"]]],
            "panels": panels,
        ] as [String: Any])
    }

    // MARK: AWS

    /// The CloudWatch agent's Prometheus scraping, turned into CloudWatch metrics (embedded
    /// metric format) in namespace `Runner` with the model (and feature) as dimensions.
    func cloudWatchAgent() -> String {
        let matcher = "^\(Self.job)$"
        let declarations: [[String: Any]] = [
            ["source_labels": ["job"], "label_matcher": matcher, "dimensions": [["model"]],
             "metric_selectors": ["^\(DriftMetrics.status)$", "^\(DriftMetrics.driftedShare)$", "^\(DriftMetrics.windowRows)$"]],
            ["source_labels": ["job"], "label_matcher": matcher, "dimensions": [["model", "feature"]],
             "metric_selectors": ["^\(DriftMetrics.featureDriftDetected)$"]],
            ["source_labels": ["job"], "label_matcher": matcher, "dimensions": [["model"]],
             "metric_selectors": ["^runner_predicted_rows_total$", "^runner_schema_failures_total$"]],
        ]
        let configuration: [String: Any] = [
            "agent": ["metrics_collection_interval": 60, "run_as_user": "cwagent"],
            "logs": [
                "force_flush_interval": 5,
                "metrics_collected": [
                    "prometheus": [
                        "log_group_name": "/runner/\(slug)/prometheus",
                        "prometheus_config_path": "/opt/aws/amazon-cloudwatch-agent/var/prometheus.yaml",
                        "emf_processor": [
                            "metric_declaration_dedup": true,
                            "metric_namespace": Self.cloudWatchNamespace,
                            "metric_declaration": declarations,
                        ],
                    ],
                ],
            ],
        ]
        return JSONText.pretty(configuration)
    }

    /// The alarm names `cloudWatchAlarms` creates.
    public var cloudWatchAlarmNames: [String] {
        ["runner-\(slug)-drift-alert", "runner-\(slug)-drift-warning", "runner-\(slug)-metrics-missing"]
    }

    /// `aws cloudwatch put-metric-alarm` for the drift status (alert, warning) and for the
    /// metrics going missing (the server or the agent is down).
    public func cloudWatchAlarms(topic: String) -> [CommandStep] {
        let names = cloudWatchAlarmNames
        func alarm(_ name: String, _ description: String, statistic: String, threshold: String, comparison: String, periods: Int, missing: String) -> CommandStep {
            CommandStep("alarm \(name)", [
                "aws", "cloudwatch", "put-metric-alarm", "--alarm-name", name, "--alarm-description", description,
                "--namespace", Self.cloudWatchNamespace, "--metric-name", DriftMetrics.status,
                // JSON, not the shorthand syntax: a model name may hold commas or quotes.
                "--dimensions", JSONText.compact([["Name": "model", "Value": model]]),
                "--statistic", statistic, "--period", "300", "--evaluation-periods", String(periods), "--threshold", threshold,
                "--comparison-operator", comparison, "--treat-missing-data", missing, "--alarm-actions", topic, "--ok-actions", topic,
            ])
        }
        return [
            alarm(names[0], "\(model): inputs drifted from the training data or metrics dropped (runner_drift_status 2)",
                  statistic: "Maximum", threshold: "2", comparison: "GreaterThanOrEqualToThreshold", periods: 3, missing: "notBreaching"),
            alarm(names[1], "\(model): drift warnings (runner_drift_status 1)",
                  statistic: "Maximum", threshold: "1", comparison: "GreaterThanOrEqualToThreshold", periods: 6, missing: "notBreaching"),
            alarm(names[2], "\(model): no drift metrics for 10 minutes (the server or the CloudWatch agent is down)",
                  statistic: "SampleCount", threshold: "1", comparison: "LessThanThreshold", periods: 2, missing: "breaching"),
        ]
    }

    // MARK: Azure

    /// A data collection rule forwarding Prometheus metrics to an Azure Monitor workspace.
    func azureDataCollectionRule() -> String {
        JSONText.pretty([
            "kind": "Linux",
            "properties": [
                "description": "Prometheus metrics of runner model '\(model)' to Azure Monitor",
                "dataSources": ["prometheusForwarder": [["name": "runnerPrometheus", "streams": ["Microsoft-PrometheusMetrics"], "labelIncludeFilter": [String: String]()]]],
                "destinations": ["monitoringAccounts": [["name": "runnerWorkspace", "accountResourceId": "${AZURE_MONITOR_WORKSPACE_ID}"]]],
                "dataFlows": [["streams": ["Microsoft-PrometheusMetrics"], "destinations": ["runnerWorkspace"]]],
            ],
        ] as [String: Any])
    }

    /// The managed Prometheus add-on's scrape configuration (AKS reads it from this ConfigMap).
    func azureScrapeConfigMap() -> String {
        [
            "# Azure Monitor managed Prometheus: scrape runner (kubectl apply -f this file on the AKS cluster).",
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            "  name: ama-metrics-prometheus-config",
            "  namespace: kube-system",
            "data:",
            "  prometheus-config: |",
        ].joined(separator: "\n") + "\n" + prometheusScrape(indent: 4).split(separator: "\n").filter { !$0.contains("global:") && !$0.contains("scrape_interval: 60s") && !$0.contains("scrape_timeout") }.joined(separator: "\n") + "\n"
    }

    func azureSteps() -> [CommandStep] {
        let rule = "runner-\(slug)-prometheus"
        func alert(_ name: String, _ condition: String, severity: String, _ description: String) -> CommandStep {
            CommandStep("metric alert \(name)", [
                "az", "monitor", "metrics", "alert", "create", "--name", name, "--resource-group", "${RESOURCE_GROUP}",
                "--scopes", "${WORKSPACE_ID}", "--condition", condition, "--window-size", "15m", "--evaluation-frequency", "5m",
                "--severity", severity, "--action", "${ACTION_GROUP_ID}", "--description", description,
            ])
        }
        return [
            CommandStep("data collection rule \(rule)", [
                "az", "resource", "create", "--resource-group", "${RESOURCE_GROUP}", "--name", rule, "--location", "${LOCATION}",
                "--resource-type", "Microsoft.Insights/dataCollectionRules", "--api-version", "2022-06-01", "--properties", "@${DEPLOY_DIR}/data-collection-rule.json",
            ]),
            alert("runner-\(slug)-drift-alert", "max \(DriftMetrics.status) >= 2", severity: "1", "\(model): inputs drifted or metrics dropped"),
            alert("runner-\(slug)-drift-warning", "max \(DriftMetrics.status) >= 1", severity: "3", "\(model): drift warnings"),
        ]
    }

    // MARK: Google Cloud

    /// The Ops Agent's Prometheus receiver for the server.
    func opsAgentConfig() -> String {
        [
            "# Google Cloud Ops Agent: scrape runner's /metrics into Cloud Monitoring (model '\(model)').",
            "# Merge into /etc/google-cloud-ops-agent/config.yaml, then restart google-cloud-ops-agent.",
            "metrics:",
            "  receivers:",
            "    runner_prometheus:",
            "      type: prometheus",
            "      config:",
            "        scrape_configs:",
            "          - job_name: \(Self.job)",
            "            scrape_interval: 60s",
            "            metrics_path: /metrics",
            "            static_configs:",
            "              - targets: [\(YAMLText.quote(scrapeTarget))]",
            "  service:",
            "    pipelines:",
            "      runner_prometheus:",
            "        receivers: [runner_prometheus]",
        ].joined(separator: "\n") + "\n"
    }

    /// Alert policies with PromQL conditions (Cloud Monitoring reads Ops Agent Prometheus
    /// metrics with PromQL).
    func gcpPolicies() -> [(name: String, json: String)] {
        func policy(_ name: String, _ display: String, _ query: String, duration: String, severity: String, _ documentation: String) -> (String, String) {
            (name, JSONText.pretty([
                "displayName": "runner \(model): \(display)",
                "combiner": "OR",
                "enabled": true,
                "severity": severity,
                "conditions": [[
                    "displayName": display,
                    "conditionPrometheusQueryLanguage": ["query": query, "duration": duration, "evaluationInterval": "60s"],
                ]],
                "documentation": ["content": documentation, "mimeType": "text/markdown"],
                "userLabels": ["runner-model": slug],
            ] as [String: Any]))
        }
        return [
            policy("drift-alert", "inputs drifted", "max by (model) (\(DriftMetrics.status)\(modelSelector)) >= 2", duration: "900s", severity: "CRITICAL",
                   "runner_drift_status is 2 for model \(model): a drift test fired or metrics on labelled rows dropped. `runner monitor` names the columns that moved."),
            policy("drift-warning", "drift warnings", "max by (model) (\(DriftMetrics.status)\(modelSelector)) == 1", duration: "1800s", severity: "WARNING",
                   "runner_drift_status is 1 for model \(model): missing values, out-of-range values, unseen categories or PSI moved."),
            policy("down", "server down", "absent(\(DriftMetrics.windowRows)\(modelSelector))", duration: "600s", severity: "CRITICAL",
                   "No drift metrics from model \(model) for 10 minutes: the server or the Ops Agent is down."),
        ]
    }
}
