/// The CI/CD systems `runner ci` writes pipelines for.
public enum CISystem: String, Sendable, CaseIterable {
    case gitlab, github, jenkins, kubernetes

    /// Where the pipeline usually lives in a repository (`--out` default is standard output).
    public var conventionalPath: String {
        switch self {
        case .gitlab: return ".gitlab-ci.yml"
        case .github: return ".github/workflows/runner.yml"
        case .jenkins: return "Jenkinsfile"
        case .kubernetes: return "runner-jobs.yaml"
        }
    }
}
