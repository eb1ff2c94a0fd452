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
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("runner-verify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let prepared = try prepareOrExit(spec: spec, store: scratch)
        let display = ProgressDisplay(style: .choose(quiet: quiet, logFormat: "text"))
        let (results, execution) = try executeOrExit(prepared, options: ExecutionOptions(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, useCache: false), display: display)
        let actual = Session.lock(prepared, results, execution)
        let differences = expected.differences(from: actual)
        guard differences.isEmpty else {
            printError("\(spec): the run does not reproduce \(lockPath):")
            for line in differences { printError("  \(line)") }
            throw ExitCodes.failure
        }
        print("verified: \(actual.stages.count) stage keys and outputs, \(actual.metrics.cv.count + actual.metrics.test.count) metrics match \(lockPath)")
    }
}
