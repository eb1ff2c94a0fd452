/// Kubernetes manifests for a grid too big for one CI machine: per experiment an Indexed Job
/// whose pods each compute one share of the fits (JOB_COMPLETION_INDEX with
/// RUNNER_SHARD_TOTAL, read by `--shard auto`) into the remote store, and a gather Job that
/// selects, refits, tests and packages into the same remote. The gather Job is created
/// suspended when there are shards; the header says how to release it once they complete.
/// Pods run as a non-root user, read-only root filesystem, no capabilities, no service
/// account token; secrets come from one Secret by key.
public enum KubernetesJobs {
    public static let secretName = "runner-ci"

    public static func render(_ plan: PipelinePlan) -> String {
        var header = PipelineHeader.lines(plan, settingsPlace: "the Secret \(secretName) in namespace \(plan.options.namespace), one key per variable (kubectl create secret generic \(secretName) --from-literal=NAME=VALUE ...)", fileVariables: "a key holding the file's content")
        header.append("The image \(plan.options.image ?? "") holds runner and the project at \(plan.options.workingDirectory) (specs, data, locks).")
        for experiment in plan.experiments where plan.options.shards > 1 {
            header.append("\(experiment.name): kubectl apply -f FILE && kubectl wait --for=condition=complete --timeout=24h job/runner-\(experiment.name)-shards -n \(plan.options.namespace) && kubectl patch job runner-\(experiment.name)-gather -n \(plan.options.namespace) --type=merge -p '{\"spec\":{\"suspend\":false}}'")
        }
        var documents: [YAMLValue] = [serviceAccount(plan)]
        for experiment in plan.experiments {
            if plan.options.shards > 1 { documents.append(shardJob(experiment, plan)) }
            documents.append(gatherJob(experiment, plan))
        }
        let body = documents.map { $0.document() }.joined(separator: "---\n")
        return header.map { "# " + $0 }.joined(separator: "\n") + "\n" + body
    }

    private static func metadata(_ name: String, _ plan: PipelinePlan, experiment: String? = nil) -> YAMLValue {
        var labels = [YAMLEntry("app.kubernetes.io/managed-by", "runner")]
        if let experiment { labels.append(YAMLEntry("runner-experiment", .string(experiment))) }
        return .mapping([YAMLEntry("name", .string(name)), YAMLEntry("namespace", .string(plan.options.namespace)), YAMLEntry("labels", .mapping(labels))])
    }

    private static func serviceAccount(_ plan: PipelinePlan) -> YAMLValue {
        .mapping([
            YAMLEntry("apiVersion", "v1"),
            YAMLEntry("kind", "ServiceAccount"),
            YAMLEntry("metadata", metadata("runner-ci", plan)),
            YAMLEntry("automountServiceAccountToken", false),
        ])
    }

    private static func shardJob(_ experiment: PipelineExperiment, _ plan: PipelinePlan) -> YAMLValue {
        let total = plan.options.shards
        return job(name: "runner-\(experiment.name)-shards", experiment, plan, extra: [
            YAMLEntry("completionMode", "Indexed"),
            YAMLEntry("completions", .integer(total)),
            YAMLEntry("parallelism", .integer(total)),
            YAMLEntry("backoffLimit", .integer(2 * total)),
        ], container: "shard", arguments: ["run", experiment.spec, "--shard", "auto", "--quiet"],
           environment: [YAMLEntry("RUNNER_SHARD_TOTAL", .string(String(total)))].map { $0 })
    }

    private static func gatherJob(_ experiment: PipelineExperiment, _ plan: PipelinePlan) -> YAMLValue {
        var extra: [YAMLEntry] = [YAMLEntry("backoffLimit", 2)]
        if plan.options.shards > 1 { extra.insert(YAMLEntry("suspend", true), at: 0) }
        // results.json and the bundle go to a scratch folder; the stages (bundle included) are
        // in the remote store, where `runner pull` and `runner run` find them.
        return job(name: "runner-\(experiment.name)-gather", experiment, plan, extra: extra, container: "gather",
                   arguments: ["run", experiment.spec, "--quiet", "--out", "/var/lib/runner/out"], environment: [])
    }

    private static func job(name: String, _ experiment: PipelineExperiment, _ plan: PipelinePlan, extra: [YAMLEntry], container: String,
                            arguments: [String], environment: [YAMLEntry]) -> YAMLValue {
        var variables = environment
        variables.append(YAMLEntry("RUNNER_STORE", "/var/lib/runner/store"))
        if let remote = experiment.remote { variables.append(YAMLEntry("RUNNER_REMOTE", .string(remote))) }
        var env: [YAMLValue] = variables.map { .mapping([YAMLEntry("name", .string($0.key)), YAMLEntry("value", $0.value)]) }
        for variable in experiment.variables {
            env.append(.mapping([
                YAMLEntry("name", .string(variable.name)),
                YAMLEntry("valueFrom", .mapping([YAMLEntry("secretKeyRef", .mapping([YAMLEntry("name", .string(secretName)), YAMLEntry("key", .string(variable.name))]))])),
            ]))
        }
        let pod: YAMLValue = .mapping([
            YAMLEntry("metadata", .mapping([YAMLEntry("labels", .mapping([YAMLEntry("runner-experiment", .string(experiment.name))]))])),
            YAMLEntry("spec", .mapping([
                YAMLEntry("restartPolicy", "Never"),
                YAMLEntry("serviceAccountName", "runner-ci"),
                YAMLEntry("automountServiceAccountToken", false),
                YAMLEntry("securityContext", .mapping([
                    YAMLEntry("runAsNonRoot", true),
                    YAMLEntry("runAsUser", 65532),
                    YAMLEntry("runAsGroup", 65532),
                    YAMLEntry("seccompProfile", .mapping([YAMLEntry("type", "RuntimeDefault")])),
                ])),
                YAMLEntry("containers", .list([.mapping([
                    YAMLEntry("name", .string(container)),
                    YAMLEntry("image", .string(plan.options.image ?? "")),
                    YAMLEntry("workingDir", .string(plan.options.workingDirectory)),
                    YAMLEntry("command", .strings([plan.options.runner] + arguments)),
                    YAMLEntry("env", .list(env)),
                    YAMLEntry("resources", .mapping([
                        YAMLEntry("requests", .mapping([YAMLEntry("cpu", "1"), YAMLEntry("memory", "1Gi")])),
                        YAMLEntry("limits", .mapping([YAMLEntry("cpu", "2"), YAMLEntry("memory", "4Gi")])),
                    ])),
                    YAMLEntry("securityContext", .mapping([
                        YAMLEntry("allowPrivilegeEscalation", false),
                        // The lock beside the spec is only rewritten when the results differ from it.
                        YAMLEntry("readOnlyRootFilesystem", true),
                        YAMLEntry("capabilities", .mapping([YAMLEntry("drop", ["ALL"])])),
                    ])),
                    YAMLEntry("volumeMounts", .list([
                        .mapping([YAMLEntry("name", "work"), YAMLEntry("mountPath", "/var/lib/runner")]),
                        .mapping([YAMLEntry("name", "tmp"), YAMLEntry("mountPath", "/tmp")]),
                    ])),
                ])])),
                YAMLEntry("volumes", .list([
                    .mapping([YAMLEntry("name", "work"), YAMLEntry("emptyDir", .mapping([]))]),
                    .mapping([YAMLEntry("name", "tmp"), YAMLEntry("emptyDir", .mapping([YAMLEntry("medium", "Memory")]))]),
                ])),
            ])),
        ])
        return .mapping([
            YAMLEntry("apiVersion", "batch/v1"),
            YAMLEntry("kind", "Job"),
            YAMLEntry("metadata", metadata(name, plan, experiment: experiment.name)),
            YAMLEntry("spec", .mapping(extra + [YAMLEntry("ttlSecondsAfterFinished", 86400), YAMLEntry("template", pod)])),
        ])
    }
}
