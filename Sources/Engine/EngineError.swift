import Packaging
import Learn

/// Why the engine could not plan, run or check an experiment. Each case is something a
/// caller may handle differently; `description` is the complete message for people.
public enum EngineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The spec cannot be planned as it stands.
    case planning(String)
    /// The data source is missing, changed since planning, or lacks what the spec names.
    case data(String)
    /// A model could not be fitted or scored on this data (the stage, and why).
    case learning(stage: String, LearnError)
    /// The model could not be packaged (the stage, and why).
    case packaging(stage: String, BundleError)
    /// A stage's computation failed for another reason.
    case stageFailed(stage: String, reason: String)
    /// A stored output cannot be decoded as what its stage produces.
    case damagedArtifact(String)
    /// A stage recomputed to other bytes than its recorded output.
    case notReproducible(stage: String, recorded: String, recomputed: String)
    /// The lock file is missing, unreadable, or from a newer runner.
    case lock(path: String, problem: String)
    /// A broken invariant in runner itself (a bug: please report it).
    case internalError(String)

    public var description: String {
        switch self {
        case .planning(let message), .data(let message), .damagedArtifact(let message):
            return message
        case .learning(let stage, let error):
            return "stage '\(stage)': \(error.message)"
        case .packaging(let stage, let error):
            return "stage '\(stage)': \(error.description)"
        case .stageFailed(let stage, let reason):
            return "stage '\(stage)': \(reason)"
        case .notReproducible(let stage, let recorded, let recomputed):
            return "stage '\(stage)' recomputed to a different output (\(recomputed.prefix(12)) instead of \(recorded.prefix(12))): its result is not reproducible"
        case .lock(let path, let problem):
            return "\(path): \(problem)"
        case .internalError(let message):
            return "internal error: \(message)"
        }
    }
}
