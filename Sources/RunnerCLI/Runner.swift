import ArgumentParser
import Spec

@main
struct Runner: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "Declarative machine-learning experiments: run, verify and inspect them, and serve their models.",
        discussion: """
            Exit codes: 0 success; 1 the command failed (unreadable data, a failed stage, \
            a store error, a verification mismatch); 2 the spec is invalid; 64 the command \
            line is wrong; 130 interrupted (finished stages are kept).
            Shell completions: runner --generate-completion-script bash|zsh|fish
            """,
        version: RunnerVersion.current,
        subcommands: [Run.self, TestCommand.self, CICommand.self, ReportCommand.self, InitCommand.self, DiffCommand.self, SchemaCommand.self, RegistryCommand.self, Validate.self, Plan.self, Status.self, Verify.self, Runs.self, Show.self, Predict.self, ServeCommand.self, DeployCommand.self, Deployments.self, MonitorCommand.self, Promotions.self, ImageContextCommand.self, ProbeCommand.self, BundleCommand.self, Keygen.self, Inspect.self, Fsck.self, GC.self, Push.self, Pull.self]
    )
}

/// Exit codes shared by every command (documented in the README).
enum ExitCodes {
    static let failure = ExitCode(1)
    static let invalidSpec = ExitCode(2)
}
