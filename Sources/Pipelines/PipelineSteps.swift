import Deploy

/// The shell commands of each job, written once for every CI system. Each is a list of words
/// quoted for bash; `${RUNNER}` stays an expansion, so a CI variable can point at another binary.
public struct PipelineSteps: Sendable {
    public let experiment: PipelineExperiment

    public init(_ experiment: PipelineExperiment) { self.experiment = experiment }

    // The jobs' names and what each waits for, in one place for GitLab and GitHub.
    public var shardJob: String { "shard-\(experiment.name)" }
    public var testJob: String { "test-\(experiment.name)" }
    public var packageJob: String { "package-\(experiment.name)" }
    public var verifyJob: String { "verify-\(experiment.name)" }
    public var imageJob: String { "image-\(experiment.name)" }
    public func deployJob(_ target: PipelineTarget) -> String { "deploy-\(experiment.name)-\(target.name)" }

    /// The shard jobs when there are any, else validate: what the first run job waits for.
    public func shardsDone(_ shards: Int) -> [String] { shards > 1 ? [shardJob] : ["validate"] }
    /// The test job when the spec has tests, else the same as the test job would wait for.
    public func testsDone(_ shards: Int) -> [String] { experiment.hasTests ? [testJob] : shardsDone(shards) }
    /// What a deploy job waits for.
    public var deployNeeds: [String] { [packageJob, verifyJob, imageJob] }

    static let runner = "${RUNNER}"

    /// `reports/NAME-tests.xml`: the model tests as JUnit.
    public var junitReport: String { "reports/\(experiment.name)-tests.xml" }
    /// The package job's output: results.json, model.bundle, model.onnx, deploy/.
    public var packageFolder: String { experiment.output }
    /// The folder the image is built from (the first target's Containerfile and context).
    public var imageFolder: String { "\(experiment.output)/image" }

    public func validate() -> String { line([Self.runner, "validate", experiment.spec]) }

    /// One share of the cross-validation fits; the shard comes from the job's environment.
    public func shard() -> String { line([Self.runner, "run", experiment.spec, "--shard", "auto", "--quiet"]) }

    /// Selects, refits and runs the model tests (nothing packaged): the gather step of a sharded run.
    public func test() -> String { line([Self.runner, "test", experiment.spec, "--quiet", "--junit", junitReport]) }

    /// Runs the experiment (cached from earlier jobs through the remote) and packages it;
    /// a model failing its tests is not packaged (exit 1).
    public func package() -> String { line([Self.runner, "run", experiment.spec, "--quiet", "--out", packageFolder]) }

    /// Recomputes every stage from scratch and compares with the committed lock.
    public func verify() -> String { line([Self.runner, "verify", experiment.spec, "--quiet"]) }

    /// Writes each target's files (Containerfile, manifests, scripts) without applying them,
    /// then builds the image the targets run, so a broken image stops the pipeline before the gate.
    public func image() -> [String] {
        guard let first = experiment.targets.first else { return [] }
        var lines = experiment.targets.map { target in
            line([Self.runner, "deploy", experiment.spec, "--target", target.name, "--out", packageFolder, "--quiet"])
        }
        let deployFolder = "\(packageFolder)/deploy/\(first.name)"
        lines.append(line([Self.runner, "image-context", "--bundle", "\(packageFolder)/model.bundle", "--output", imageFolder]))
        lines.append("ENGINE=\"${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}\"")
        lines.append(line(["${ENGINE}", "build", "--file", "\(deployFolder)/Containerfile", "--tag", "runner-\(experiment.name):ci", imageFolder]))
        return lines
    }

    /// Logs in where the target needs it, then stands the target up (`runner deploy --apply`).
    public func deploy(_ target: PipelineTarget) -> [String] {
        var lines: [String] = []
        switch target.kind {
        case .azureVM:
            lines.append(line(["az", "login", "--service-principal", "--username", "${AZURE_CLIENT_ID}", "--tenant", "${AZURE_TENANT_ID}", "--password", "${AZURE_CLIENT_SECRET}", "--output", "none"]))
        case .gcpCompute:
            lines.append(line(["gcloud", "auth", "activate-service-account", "--key-file", "${GOOGLE_APPLICATION_CREDENTIALS}"]))
        case .container, .kubernetes, .awsEC2:
            break
        }
        if let host = target.registryHost {
            lines.append("ENGINE=\"${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}\"")
            lines.append("printf '%s' \"${REGISTRY_PASSWORD}\" | " + line(["${ENGINE}", "login", "--username", "${REGISTRY_USER}", "--password-stdin", host]))
        }
        lines.append(line([Self.runner, "deploy", experiment.spec, "--target", target.name, "--apply", "--out", packageFolder, "--quiet"]))
        return lines
    }

    /// What jobs that share stages run first: a check that a remote is known, when neither
    /// the pipeline nor the spec names one.
    public var remoteGuard: [String] { experiment.remote == nil ? [Self.remoteCheck] : [] }

    /// The shard of each of `total` jobs, as `--shard` and RUNNER_SHARD take it.
    public static func shards(_ total: Int) -> [String] { (1...total).map { "\($0)/\(total)" } }

    /// Fails a job early, naming the variable, when no remote is known.
    public static let remoteCheck = "test -n \"${RUNNER_REMOTE:-}\" || { echo 'set the CI variable RUNNER_REMOTE to the remote store (s3://BUCKET/PREFIX) the jobs share' >&2; exit 1; }"

    func line(_ words: [String]) -> String { words.map(ShellScript.quote).joined(separator: " ") }
}
