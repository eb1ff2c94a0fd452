import ArgumentParser
import Engine
import Foundation
import Report

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment: plan it as a DAG of cached stages, run them in parallel, write results and the lock.",
        discussion: """
            Stages whose key (kind, version, parameters, input digests) is in the store are not \
            recomputed. Writes results.json to --out (default out/<name>/ beside the spec), \
            the lock (exp.lock beside exp.yaml) and a run index entry. \
            A model that fails the spec's tests is not packaged or deployed, and the lock is \
            left as it was (--allow-failed-tests packages it anyway). \
            With --shard I/N it computes only its share of the cross-validation fits (the same \
            assignment on every machine, balanced by estimated cost) into the store and exits; \
            the same command without --shard then finds them cached and selects, refits and \
            packages, with results identical to an unsharded run. --shard auto reads RUNNER_SHARD, \
            GitLab's CI_NODE_INDEX/CI_NODE_TOTAL or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX \
            (with RUNNER_SHARD_TOTAL). \
            Exits 0 on success, 1 when a stage or the store fails or a model test fails, \
            2 when the spec is invalid, 130 when interrupted (finished stages are kept).
            """
    )

    @Argument(help: "The experiment spec (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json"]))
    var spec: String

    @Option(name: .customLong("out"), help: "Folder for results.json (default: out/<name>/ beside the spec).")
    var output: String?

    @OptionGroup var store: StoreOptions
    @OptionGroup var remote: RemoteOptions

    @Option(name: .shortAndLong, help: "Stages to run at once (default: the number of cores). Results do not depend on it.")
    var jobs: Int?

    @Flag(help: "Print the results as JSON on stdout instead of the leaderboard.")
    var json = false

    @Flag(help: "No progress output; warnings and errors only.")
    var quiet = false

    @Option(name: .customLong("junit"), help: "Write the model tests as JUnit XML to this file (GitLab's artifacts:reports:junit).")
    var junit: String?

    @Flag(name: .customLong("allow-failed-tests"), help: "Package and deploy the model even when it fails the spec's tests (recorded in results.json).")
    var allowFailedTests = false

    @Flag(name: .customLong("report"), help: "Also write report.html (runner report) next to results.json.")
    var report = false

    @Option(name: .customLong("log-format"), help: "Progress on stderr: text (a live line on terminals, log lines otherwise) or json.")
    var logFormat = "text"

    @Option(name: .customLong("shard"), help: "Compute only this share of the cross-validation fits, I/N (or auto: from the CI system's variables), then exit.")
    var shard: String?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let shard, shard != "auto", Shard(shard) == nil { throw ValidationError("--shard must be I/N with 1 <= I <= N (e.g. 2/3), or auto") }
        if shard != nil, junit != nil || report || allowFailedTests || output != nil {
            throw ValidationError("--shard computes fits only; --junit, --report, --out and --allow-failed-tests go with the run that gathers them")
        }
        if !["text", "json"].contains(logFormat) { throw ValidationError("--log-format must be text or json") }
    }

    func run() throws {
        let prepared = try prepareOrExit(spec: spec, store: store.resolved(spec: spec))
        let display = ProgressDisplay(style: .choose(quiet: quiet, logFormat: logFormat))
        let sync = try remote.open(for: prepared)
        if let shard {
            return try runShard(prepared, shard: shard, display: display, remote: sync)
        }
        let options = ExecutionOptions(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, requirePassingTests: !allowFailedTests, remote: sync)
        let (results, execution) = try executeOrExit(prepared, options: options, display: display)
        let folder = output ?? Session.defaultOutput(specPath: spec, experiment: results.experiment)
        let path: String, packages: [String]
        let blocked = results.testsPassed == false && !allowFailedTests
        var reportPath: String?
        do {
            packages = try Session.exportPackages(prepared, execution, outputFolder: folder)
            // A model that failed its tests must not become the reference no_regression compares with.
            path = try Session.record(prepared, results, execution, outputFolder: folder, writeLock: !blocked)
            if report {
                reportPath = "\(folder)/report.html"
                try writeOutput(Data(try ReportBuilder.html(results: results, store: prepared.store).utf8), to: reportPath!)
            }
        } catch let error as StoreError {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        } catch {
            printError("error: \(error)")
            throw ExitCodes.failure
        }
        try writeJUnit(results, to: junit)
        if json {
            print(jsonText(results))
            if blocked { throw ExitCodes.failure }
            return
        }
        print(results.leaderboardText)
        if let tests = results.testsText { print("\n" + tests) }
        let ran = results.stages.count - results.cachedStages
        print("run \(results.runID): \(results.stages.count) stages (\(ran) ran, \(results.cachedStages) cached) in \(String(format: "%.2f", results.seconds)) s")
        print("results: \(path)")
        for package in packages { print("package: \(package)") }
        if let reportPath { print("report: \(reportPath)") }
        if blocked {
            let failed = results.tests?.filter { $0.passed == false }.count ?? 0
            printError("error: \(failed) model test\(failed == 1 ? "" : "s") failed: the model was not packaged or deployed and the lock was left as it was (--allow-failed-tests packages it anyway)")
            throw ExitCodes.failure
        }
        print("lock: \(LockFile.path(forSpec: spec))")
    }

    /// One shard's fits into the store; no results, lock or index entry (the gathering run writes those).
    private func runShard(_ prepared: PreparedRun, shard text: String, display: ProgressDisplay, remote: RemoteSync?) throws {
        let shard: Shard
        if text == "auto" {
            switch Shard.fromEnvironment(ProcessInfo.processInfo.environment) {
            case .success(let found): shard = found
            case .failure(let error):
                printError("error: \(error.description)")
                throw ExitCode.validationFailure
            }
        } else {
            shard = Shard(text)!
        }
        let options = ExecutionOptions(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, shard: shard, remote: remote)
        let execution = try interruptibly(display: display) { cancellation, events throws(ExecutionFailure) in
            try Session.executeShard(prepared, options: options, cancellation: cancellation, report: events)
        }
        let fits = execution.fits
        let computed = fits.filter { !$0.cached }.count
        if json {
            struct Shown: Encodable {
                var shard: String
                var fits: [String]
                var computed: Int
                var cached: Int
                var totalFits: Int
            }
            print(jsonText(Shown(shard: shard.description, fits: fits.map(\.name), computed: computed, cached: fits.count - computed, totalFits: execution.totalFits)))
            return
        }
        print("shard \(shard): \(fits.count) of \(execution.totalFits) fits (\(computed) computed, \(fits.count - computed) cached) in the store \(prepared.store.root)\(remote.map { " and \($0.remote.location)" } ?? "")")
        print("gather: runner run \(spec) (without --shard) once every shard has finished")
    }
}
