import Engine
import Foundation
import Spec
import Yams

/// What every generated pipeline does, independent of the CI system: per experiment, which
/// jobs exist, what they run and which variables they read. The renderers only translate it.
public struct PipelinePlan: Sendable {
    public var experiments: [PipelineExperiment]
    public var options: PipelineOptions

    /// Every variable some job reads, for the pipeline's header.
    public var variables: [CIVariable] {
        (experiments.flatMap { $0.variables + $0.targets.flatMap(\.variables) } + (needsRemoteVariable ? [CIVariable.remote] : [])).uniqued()
    }

    /// The remote is neither written in the pipeline nor in every spec: jobs read RUNNER_REMOTE.
    public var needsRemoteVariable: Bool { options.remote == nil && experiments.contains { $0.remote == nil } }

    /// Plans a pipeline for `specs` (checked experiments with their paths and text), run from
    /// `root` (the repository's root: every spec must be inside it).
    public static func make(specs: [LoadedSpec], root: String, options: PipelineOptions) throws(PipelineError) -> PipelinePlan {
        guard (1...200).contains(options.shards) else { throw .invalidShardCount(options.shards) }
        if options.system == .kubernetes, options.image == nil { throw .imageRequired(system: .kubernetes) }
        var experiments: [PipelineExperiment] = []
        var pathByName: [String: String] = [:]
        for spec in specs {
            let relative = try relativePath(spec.path, root: root)
            let name = jobName(spec.experiment.name)
            if let first = pathByName[name] { throw .duplicateExperiment(name: name, first: first, second: relative) }
            pathByName[name] = relative
            experiments.append(PipelineExperiment(name: name, spec: relative, experiment: spec.experiment, text: spec.text, remote: options.remote))
        }
        let plan = PipelinePlan(experiments: experiments, options: options)
        if options.system == .kubernetes, plan.needsRemoteVariable { throw .remoteRequired(system: .kubernetes) }
        return plan
    }

    /// A spec path relative to the root, with `/` separators.
    static func relativePath(_ path: String, root: String) throws(PipelineError) -> String {
        let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: root, isDirectory: true)).standardizedFileURL.path
        let base = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL.path
        let prefix = base.hasSuffix("/") ? base : base + "/"
        guard absolute.hasPrefix(prefix) else { throw .specOutsideRepository(spec: path, root: root) }
        return String(absolute.dropFirst(prefix.count))
    }

    /// Lower-case letters, digits and `-`: a valid job id on every system and a Kubernetes name part.
    static func jobName(_ experiment: String) -> String {
        var name = ""
        for character in experiment.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber { name.append(character) } else if !name.hasSuffix("-") { name.append("-") }
        }
        name = String(name.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(40))
        if name.isEmpty || name.first!.isNumber { name = "x" + name }
        return name
    }
}

/// A spec as `runner ci` read it.
public struct LoadedSpec: Sendable {
    public var path: String
    public var experiment: Experiment
    public var text: String

    public init(path: String, experiment: Experiment, text: String) {
        self.path = path
        self.experiment = experiment
        self.text = text
    }
}

/// The choices of `runner ci` that are not in the specs.
public struct PipelineOptions: Sendable {
    public var system: CISystem
    /// Shard jobs per experiment (1: no shard jobs).
    public var shards: Int = 1
    /// The remote store written into the pipeline; nil: the specs' `remote:`, else RUNNER_REMOTE.
    public var remote: String?
    /// The image the jobs run in (it holds runner); nil: the CI machine's own environment.
    public var image: String?
    /// The command that runs runner in the jobs (overridable through the RUNNER variable).
    public var runner: String = "runner"
    /// The branch deploy jobs may run on.
    public var branch: String = "main"
    /// GitHub Actions' `runs-on` label.
    public var runsOn: String = "ubuntu-latest"
    /// Kubernetes: the namespace, and the folder of the project inside the image.
    public var namespace: String = "default"
    public var workingDirectory: String = "/workspace"
    /// How the pipeline was generated, for its header.
    public var commandLine: String

    public init(system: CISystem, commandLine: String) {
        self.system = system
        self.commandLine = commandLine
    }
}

/// One experiment's jobs.
public struct PipelineExperiment: Sendable, Equatable {
    /// The jobs' name part (lower-case, `-`).
    public var name: String
    /// The spec, relative to the repository's root.
    public var spec: String
    /// Its lock, which the verify job compares with.
    public var lock: String
    /// Where the package job writes results.json, the bundle and the deploy files.
    public var output: String
    public var hasTests: Bool
    public var targets: [PipelineTarget]
    /// What every job of this experiment reads (remote credentials, data source secrets, the
    /// bundle's encryption key).
    public var variables: [CIVariable]
    /// Where the jobs share stages: the pipeline's, else the spec's; nil: RUNNER_REMOTE.
    public var remote: String?

    /// What a job that reads no remote store needs (verify recomputes from scratch).
    public var dataVariables: [CIVariable] { variables.filter { !CIVariable.awsCredentials.contains($0) } }

    init(name: String, spec: String, experiment: Experiment, text: String, remote pipelineRemote: String?) {
        self.name = name
        self.spec = spec
        lock = LockFile.path(forSpec: spec)
        output = "out/\(name)"
        hasTests = !experiment.tests.isEmpty
        remote = pipelineRemote ?? experiment.remote?.value
        let targetVariables = Set(experiment.deploy.flatMap { target in target.secrets.all.compactMap { entry -> String? in
            if case .environment(let name) = entry.reference { return name }
            return nil
        } })
        var variables = SpecVariables.names(in: text).filter { !targetVariables.contains($0) }.map {
            CIVariable($0, .secret, "read by \(spec) (data source or package key)")
        }
        if remote?.hasPrefix("file://") != true { variables += CIVariable.awsCredentials }
        self.variables = variables.uniqued()
        targets = experiment.deploy.map(PipelineTarget.init)
    }
}

/// One deploy target: a job behind a manual gate, in its own environment.
public struct PipelineTarget: Sendable, Equatable {
    public var name: String
    public var kind: DeployTarget.Kind
    /// The registry the image is pushed to (`image:`), whose login the job needs.
    public var registryHost: String?
    /// Credentials and secrets only this target's deploy job reads.
    public var variables: [CIVariable]

    init(_ target: DeployTarget) {
        name = target.name.value
        kind = target.platform.kind
        registryHost = target.image.flatMap { image in
            let first = image.split(separator: "/").first.map(String.init) ?? image
            // A first part with a dot or a port is a registry host (Docker's rule); else Docker Hub.
            return image.contains("/") && (first.contains(".") || first.contains(":") || first == "localhost") ? first : "docker.io"
        }
        var variables: [CIVariable] = target.secrets.all.compactMap { entry in
            if case .environment(let name) = entry.reference {
                // The bundle key is the value itself; the other secrets are files the variable names.
                return CIVariable(name, entry.name == "bundle_key" ? .secret : .file, "\(entry.name) of deploy target \(target.name.value)")
            }
            return nil
        }
        switch target.platform.kind {
        case .container: break
        case .kubernetes: variables += CIVariable.kubeconfig
        case .awsEC2: variables += CIVariable.awsCredentials
        case .azureVM: variables += CIVariable.azureCredentials
        case .gcpCompute: variables += CIVariable.gcpCredentials
        }
        if registryHost != nil { variables += CIVariable.registryLogin }
        if target.model != nil { variables.append(CIVariable.modelRegistry) }
        self.variables = variables.uniqued()
    }
}

/// Names of the environment variables a spec reads (`*_env:` keys, and `env:` secret
/// references), found in its text so that a pipeline names them without their values.
enum SpecVariables {
    static func names(in text: String) -> [String] {
        guard let node = try? Yams.compose(yaml: text) else { return [] }
        var names: [String] = []
        collect(node, into: &names)
        return names
    }

    private static func collect(_ node: Node, into names: inout [String]) {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                if let key = key.string, key == "env" || key.hasSuffix("_env"), let name = value.string, !name.isEmpty { names.append(name) }
                collect(value, into: &names)
            }
        case .sequence(let sequence):
            for item in sequence { collect(item, into: &names) }
        default:
            break
        }
    }
}
