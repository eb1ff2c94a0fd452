/// Why a drift check could not run; the message says what to do.
public enum MonitorError: Error, Equatable, CustomStringConvertible {
    /// A format 1 bundle (or one packaged without a profile).
    case noProfile(bundle: String)
    /// The rows to check could not be read or do not fit the bundle.
    case input(String)
    /// The prediction logs cannot be used: none, unreadable, or another model's.
    case logs(String)
    /// The labels file is unreadable or joins no row.
    case labels(String)
    /// A wrong option value (a window that is neither a count nor a duration).
    case usage(String)

    public var description: String {
        switch self {
        case .noProfile(let bundle):
            return "\(bundle) has no training profile (bundle format 1, made before monitoring); rerun the experiment with this runner to package one with it"
        case .input(let message), .logs(let message), .labels(let message), .usage(let message):
            return message
        }
    }
}
