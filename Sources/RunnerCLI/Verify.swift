import ArgumentParser
import Engine
import Foundation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-run an experiment from scratch, without the cache, and compare it with its lock.",
        discussion: """
            Every stage is recomputed in a fresh temporary store; the spec and data digests, every \
            stage key and output digest, the winner and its metrics must equal exp.lock. \
            Exits 0 when they all match, 1 when anything differs (each difference is printed), \
            2 when the spec is invalid.
            """
    )

    @Argument(help: "The experiment spec (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json"]))
    var spec: String

    @Option(help: "The lock to compare with (default: exp.lock beside exp.yaml).")
    var lock: String?

    @Option(name: .shortAndLong, help: "Stages to run at once (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "No progress output.")
    var quiet = false

    func run() throws {
        let lockPath = lock ?? LockFile.path(forSpec: spec)
        let expected: LockFile
        do {
            expected = try LockFile.read(lockPath)
        } catch {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        }
        let scratch = Session.verificationStore()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let prepared = try prepareOrExit(spec: spec, store: scratch)
        let display = ProgressDisplay(style: .choose(quiet: quiet, logFormat: "text"))
        let jobs = self.jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let report = try interruptibly(display: display) { cancellation, events throws(ExecutionFailure) in
            try Session.verify(prepared, against: expected, jobs: jobs, cancellation: cancellation, report: events)
        }
        guard report.reproduced else {
            printError("\(spec): the run does not reproduce \(lockPath):")
            for line in report.differences { printError("  \(line)") }
            throw ExitCodes.failure
        }
        print("verified: \(report.stageCount) stage keys and outputs, \(report.metricCount) metrics match \(lockPath)")
    }
}
