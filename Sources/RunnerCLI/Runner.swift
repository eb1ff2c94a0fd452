import ArgumentParser
import Spec

@main
struct Runner: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "Declarative machine-learning experiments: validate specs, inspect data.",
        discussion: """
            Exit codes: 0 success; 1 the command failed (unreadable data, I/O error); \
            2 the spec is invalid; 64 the command line is wrong.
            Shell completions: runner --generate-completion-script bash|zsh|fish
            """,
        version: RunnerVersion.current,
        subcommands: [Validate.self, Inspect.self]
    )
}

/// Exit codes shared by every command (documented in the README).
enum ExitCodes {
    static let failure = ExitCode(1)
    static let invalidSpec = ExitCode(2)
}
