/// Why a deployment could not be generated, applied or destroyed.
public enum DeployError: Error, Sendable, Equatable {
    /// A command-line tool the target drives is not installed; `package` says what provides it.
    case toolMissing(tool: String, package: String)
    /// A step's command failed: it is named in full with its exit status.
    case commandFailed(command: String, status: Int32)
    /// A step refers to a variable nothing set.
    case missingVariable(String, in: String)
    /// A file could not be read or written.
    case file(String)
    /// `--destroy` for a target the run index holds nothing for.
    case nothingRecorded(target: String)
    case unknownTarget(String, known: [String])
    case internalError(String)

    public var message: String {
        switch self {
        case .toolMissing(let tool, let package):
            return "'\(tool)' is not installed (or not on PATH): install \(package) and try again; nothing was created"
        case .commandFailed(let command, let status):
            return "command failed with exit status \(status): \(command)"
        case .missingVariable(let name, let text):
            return "nothing set ${\(name)} (needed by '\(text)')"
        case .file(let message):
            return message
        case .nothingRecorded(let target):
            return "the run index records no deployment of target '\(target)'; nothing to destroy"
        case .unknownTarget(let name, let known):
            return known.isEmpty
                ? "the spec has no deploy targets; add a 'deploy:' section (docs/deploy.md)"
                : "the spec has no deploy target '\(name)'; its targets are \(known.joined(separator: ", "))"
        case .internalError(let message):
            return "internal error: \(message)"
        }
    }
}
