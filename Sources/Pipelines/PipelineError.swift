/// Why a pipeline cannot be written; callers match the case, people read `message`.
public enum PipelineError: Error, Equatable, Sendable {
    /// A spec outside the folder the pipeline runs in (the repository's root).
    case specOutsideRepository(spec: String, root: String)
    /// Two specs whose experiments would give jobs the same name.
    case duplicateExperiment(name: String, first: String, second: String)
    /// The system runs jobs on machines that share nothing but a remote store.
    case remoteRequired(system: CISystem)
    case invalidShardCount(Int)
    /// Kubernetes pods need an image holding runner and the project.
    case imageRequired(system: CISystem)

    public var message: String {
        switch self {
        case .specOutsideRepository(let spec, let root):
            return "\(spec) is outside \(root): run runner ci from the repository's root, which holds every spec the pipeline runs"
        case .duplicateExperiment(let name, let first, let second):
            return "\(first) and \(second) both name the experiment '\(name)': jobs are named after experiments, so give one of them another name"
        case .remoteRequired(let system):
            return "\(system.rawValue): the jobs share stages through a remote store; give --remote s3://BUCKET/PREFIX (or remote: in the spec)"
        case .imageRequired(let system):
            return "\(system.rawValue): the jobs run in a container; give --image IMAGE (an image holding runner and the project's specs and data)"
        case .invalidShardCount(let count):
            return "--shards must be between 1 and 200 (GitLab's parallel:matrix limit), found \(count)"
        }
    }
}
