import ArgumentParser
import Engine
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment: plan it as a DAG of cached stages, run them in parallel, write results and the lock.",
        discussion: """
            Stages whose key (kind, version, parameters, input digests) is in the store are not \
            recomputed. Writes results.json to --out (default out/<name>/ beside the spec), \
            the lock (exp.lock beside exp.yaml) and a run index entry. \
            Exits 0 on success, 1 when a stage or the store fails, 2 when the spec is invalid, \
            130 when interrupted (finished stages are kept).
            """
    )

    @Argument(help: "The experiment spec (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json"]))
    var spec: String

    @Option(name: .customLong("out"), help: "Folder for results.json (default: out/<name>/ beside the spec).")
    var output: String?

    @OptionGroup var store: StoreOptions

    @Option(name: .shortAndLong, help: "Stages to run at once (default: the number of cores). Results do not depend on it.")
    var jobs: Int?

    @Flag(help: "Print the results as JSON on stdout instead of the leaderboard.")
    var json = false

    @Flag(help: "No progress output; warnings and errors only.")
    var quiet = false

    @Option(name: .customLong("log-format"), help: "Progress on stderr: text (a live line on terminals, log lines otherwise) or json.")
    var logFormat = "text"

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if !["text", "json"].contains(logFormat) { throw ValidationError("--log-format must be text or json") }
    }

    func run() throws {
        let prepared = try prepareOrExit(spec: spec, store: store.resolved(spec: spec))
        let display = ProgressDisplay(style: .choose(quiet: quiet, logFormat: logFormat))
        let options = ExecutionOptions(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        let (results, execution) = try executeOrExit(prepared, options: options, display: display)
        let folder = output ?? Session.defaultOutput(specPath: spec, experiment: results.experiment)
        let path: String, packages: [String]
        do {
            packages = try Session.exportPackages(prepared, execution, outputFolder: folder)
            path = try Session.record(prepared, results, execution, outputFolder: folder)
        } catch {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        }
        if json {
            print(jsonText(results))
            return
        }
        print(results.leaderboardText)
        let ran = results.stages.count - results.cachedStages
        print("run \(results.runID): \(results.stages.count) stages (\(ran) ran, \(results.cachedStages) cached) in \(String(format: "%.2f", results.seconds)) s")
        print("results: \(path)")
        for package in packages { print("package: \(package)") }
        print("lock: \(LockFile.path(forSpec: spec))")
    }
}
