import Spec

/// What generating a target's files needs besides the target: the bundle they serve.
public struct DeploymentSubject: Sendable, Equatable, Codable {
    public var experiment: String
    /// SHA-256 of the bundle file: it tags the image, the instances and the archive.
    public var bundleDigest: String
    public var runnerVersion: String
    public var encrypted: Bool

    public init(experiment: String, bundleDigest: String, runnerVersion: String, encrypted: Bool) {
        self.experiment = experiment
        self.bundleDigest = bundleDigest
        self.runnerVersion = runnerVersion
        self.encrypted = encrypted
    }

    /// The first 12 hex digits, as the server's model version and the image tag.
    public var shortDigest: String { String(bundleDigest.prefix(12)) }

    /// The experiment's name as an image repository and label value allow it.
    public var slug: String {
        let mapped = experiment.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        let trimmed = String(mapped).split(separator: "-").joined(separator: "-")
        return trimmed.isEmpty ? "model" : String(trimmed.prefix(40))
    }

    /// The image built when the target names no registry image.
    public var localImage: String { "localhost/runner-\(slug):\(shortDigest)" }
}

/// A file of a target's deployment folder (`deploy/NAME/`).
public struct GeneratedFile: Sendable, Equatable, Codable {
    /// Relative to the target's folder.
    public var path: String
    public var contents: String
    public var executable: Bool

    public init(_ path: String, _ contents: String, executable: Bool = false) {
        self.path = path
        self.contents = contents
        self.executable = executable
    }
}

/// A command-line tool a target drives, and what installs it.
public struct RequiredTool: Sendable, Equatable, Codable {
    public var program: String
    public var package: String

    public init(_ program: String, _ package: String) {
        self.program = program
        self.package = package
    }

    public static let aws = RequiredTool("aws", "the AWS CLI (https://aws.amazon.com/cli/, or `pip install awscli`)")
    public static let az = RequiredTool("az", "the Azure CLI (https://learn.microsoft.com/cli/azure/install-azure-cli, or `pip install azure-cli`)")
    public static let gcloud = RequiredTool("gcloud", "the Google Cloud CLI (Debian package google-cloud-cli)")
    public static let kubectl = RequiredTool("kubectl", "kubectl (Debian package kubectl, or https://kubernetes.io/docs/tasks/tools/)")
    public static let containerEngine = RequiredTool("podman", "podman or docker (Debian packages podman and runc)")
}

/// Everything a target's deployment is: the files written under `deploy/NAME/`, the steps
/// `--apply` runs and the steps `--destroy` runs. Pure: the same target and bundle give the
/// same plan, byte for byte.
public struct DeploymentPlan: Sendable, Equatable, Codable {
    public var target: String
    public var kind: String
    public var files: [GeneratedFile]
    public var apply: [CommandStep]
    public var destroy: [CommandStep]
    public var tools: [RequiredTool]
    /// The container engine the spec asks for: auto, podman or docker.
    public var containerEngineChoice: String = DeployTarget.ContainerEngine.auto.rawValue

    /// Plans `target` for `subject`.
    public static func make(_ target: DeployTarget, _ subject: DeploymentSubject) -> DeploymentPlan {
        let context = PlanContext(target: target, subject: subject)
        var plan: DeploymentPlan
        switch target.platform {
        case .container(let settings): plan = ContainerTarget.plan(settings, context)
        case .kubernetes(let settings): plan = KubernetesTarget.plan(settings, context)
        case .awsEC2(let settings): plan = AWSTarget.plan(settings, context)
        case .azureVM(let settings): plan = AzureTarget.plan(settings, context)
        case .gcpCompute(let settings): plan = GCPTarget.plan(settings, context)
        }
        plan.files += ContainerImage.files(context) + [
            GeneratedFile("deploy.sh", context.script("Stands up", plan.apply), executable: true),
            GeneratedFile("destroy.sh", context.script("Removes", plan.destroy), executable: true),
        ]
        // Alerting for the running server, for the platform it runs on (docs/monitoring.md).
        let wiring = MonitoringWiring(model: subject.experiment, scrapeTarget: context.scrapeTarget)
        plan.files += wiring.files(for: context.monitoringPlatform).map { file in
            GeneratedFile("monitoring/" + file.path, file.contents, executable: file.executable)
        }
        plan.files.sort { $0.path < $1.path }
        return plan
    }

    init(target: String, kind: String, files: [GeneratedFile], apply: [CommandStep], destroy: [CommandStep], tools: [RequiredTool]) {
        self.target = target
        self.kind = kind
        self.files = files
        self.apply = apply
        self.destroy = destroy
        self.tools = tools
    }
}

/// What every target's planner reads: the target, the bundle, and the names derived from them.
struct PlanContext {
    let target: DeployTarget
    let subject: DeploymentSubject

    var name: String { target.name.value }
    /// Every cloud resource is named after the target.
    var resourceName: String { "runner-\(name)" }
    var image: String { target.image ?? subject.localImage }
    /// The image archive's object name in cloud storage.
    var archiveName: String { "runner-\(subject.slug)-\(subject.shortDigest).tar" }

    /// Where a metrics agent beside the server reaches /metrics: the published port for a
    /// container, the Service for Kubernetes, the VM itself for cloud targets.
    var scrapeTarget: String {
        switch target.platform {
        case .container(let settings): return "\(settings.hostAddress):\(target.port)"
        case .kubernetes(let settings): return "\(resourceName).\(settings.namespace).svc:\(target.port)"
        case .awsEC2, .azureVM, .gcpCompute: return "localhost:\(target.port)"
        }
    }

    /// The alerting each platform gets: its cloud's monitoring, Prometheus elsewhere.
    var monitoringPlatform: MonitoringWiring.Platform {
        switch target.platform {
        case .container, .kubernetes: return .prometheus
        case .awsEC2: return .aws
        case .azureVM: return .azure
        case .gcpCompute: return .gcp
        }
    }

    /// Labels every resource carries (key, value), in one place.
    var labels: [(String, String)] {
        [("runner-experiment", subject.slug), ("runner-target", name), ("runner-bundle", subject.shortDigest)]
    }

    /// Builds the image from this runner binary and the bundle (`runner image-context`).
    var imageBuildSteps: [CommandStep] {
        [
            CommandStep("assemble the image's files (this runner binary, the libraries it loads, CA certificates, the bundle)",
                        ["${RUNNER}", "image-context", "--binary", "${IMAGE_BINARY}", "--bundle", "${BUNDLE}", "--output", "${DEPLOY_DIR}/context"]),
            CommandStep("build the image \(subject.localImage)",
                        ["${ENGINE}", "build", "--tag", subject.localImage, "--file", "${DEPLOY_DIR}/Containerfile", "${DEPLOY_DIR}/context"]),
        ]
    }

    /// Builds the image and writes it to an archive for a VM to fetch.
    var imageArchiveSteps: [CommandStep] {
        imageBuildSteps + [
            CommandStep("remove an archive an earlier deploy left", ["rm", "-f", "${DEPLOY_DIR}/image.tar"]),
            CommandStep("save the image as an archive", ["${ENGINE}", "save", "--output", "${DEPLOY_DIR}/image.tar", subject.localImage]),
        ]
    }

    func script(_ verb: String, _ steps: [CommandStep]) -> String {
        var preamble = [
            ShellScript.Preamble("DEPLOY_DIR", "$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)", "This target's folder (deploy/\(name) beside the run's model.bundle)."),
            ShellScript.Preamble("BUNDLE", "${BUNDLE:-\"$DEPLOY_DIR/../../model.bundle\"}", "The bundle it serves."),
        ]
        let referenced = Set(steps.flatMap { $0.arguments.flatMap(Variables.references) })
        if referenced.contains("RUNNER") {
            preamble.append(.init("RUNNER", "${RUNNER:-runner}", "The runner that assembles the image's files."))
            preamble.append(.init("IMAGE_BINARY", "${RUNNER_IMAGE_BINARY:-$(command -v \"$RUNNER\")}",
                                  "The binary that goes in the image (a Linux build; a static release build keeps the image small)."))
        }
        if referenced.contains("ENGINE") {
            preamble.append(.init("ENGINE", "${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}", "Podman when installed, else Docker."))
        }
        var captured: [String] = []
        for step in steps { if let name = step.capture, !captured.contains(name) { captured.append(name) } }
        for variable in captured {
            preamble.append(.init(variable, "${\(variable):-}", "Recorded by an earlier deploy (runner passes it), else found or created below."))
        }
        return ShellScript.render(
            header: [
                "\(verb) deploy target '\(name)' (\(target.platform.kind.rawValue)) of experiment '\(subject.experiment)', bundle \(subject.shortDigest).",
                "Generated by runner \(subject.runnerVersion); `runner deploy SPEC --target \(name) --apply` runs the same steps.",
                "No secret is written here: the server reads each one from where the spec names it.",
            ],
            preamble: preamble, steps: steps, outputs: captured)
    }
}
