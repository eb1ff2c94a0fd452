import Foundation

/// Runs a plan's steps with the real CLIs, in order: prints each command before it runs,
/// stops at the first failure naming the command and its exit status, skips what a lookup
/// found, and reports every value a recording step captured as it is captured, so what was
/// created is recorded even when a later step fails.
public struct DeploymentExecutor: Sendable {
    public var runner: ProgramRunner
    /// Where each command is announced (`+ aws ec2 ...`).
    public var announce: @Sendable (String) -> Void

    public init(runner: ProgramRunner = ProgramRunner(), announce: @escaping @Sendable (String) -> Void) {
        self.runner = runner
        self.announce = announce
    }

    /// Checks that every tool is installed before anything runs, so a missing CLI creates nothing.
    public func checkTools(_ tools: [RequiredTool], engine: String?) throws(DeployError) {
        for tool in tools {
            let program = tool == .containerEngine ? (engine ?? "podman") : tool.program
            if runner.locate(program) == nil { throw .toolMissing(tool: program, package: tool.package) }
        }
    }

    /// The container engine for `choice`: podman when installed (no daemon), else docker.
    public func engine(_ choice: String) -> String? {
        switch choice {
        case "podman", "docker": return runner.locate(choice) == nil ? nil : choice
        default: return ["podman", "docker"].first { runner.locate($0) != nil }
        }
    }

    public func run(_ steps: [CommandStep], variables: inout Variables, recorded: (String, String) -> Void) throws(DeployError) {
        for (index, step) in steps.enumerated() {
            if let condition = step.when, !variables.isSet(condition) { continue }
            if let condition = step.unless, variables.isSet(condition) {
                announce("[\(index + 1)/\(steps.count)] \(step.summary): already there (\(condition)=\(variables[condition] ?? ""))")
                continue
            }
            var arguments: [String] = []
            for word in step.arguments { arguments.append(try variables.expand(word)) }
            announce("[\(index + 1)/\(steps.count)] \(step.summary)")
            announce("+ " + ShellScript.commandLine(arguments))
            let result = try runner.run(arguments, capture: step.capture != nil)
            guard result.status == 0 else { throw .commandFailed(command: ShellScript.commandLine(arguments), status: result.status) }
            if let name = step.capture {
                let value = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
                variables[name] = value
                if step.records, variables.isSet(name) { recorded(name, value) }
            }
        }
    }
}
