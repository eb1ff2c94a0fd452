import ArgumentParser
import Engine
import Foundation
import Report

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML report of a run: summary, leaderboard, search, test-split plots, importances, data, provenance.",
        discussion: """
            SPEC runs the experiment (cached stages are not recomputed; nothing is packaged) and \
            records the run; RUN (an id or a unique prefix, see `runner runs`) reports a recorded \
            run. The page needs no network and no script: charts are inline SVG with text \
            alternatives, light and dark. Exits 0 on success, 1 on failure, 2 when the spec is invalid.
            """
    )

    @Argument(help: "An experiment spec (YAML or JSON), or a run id.", completion: .file(extensions: ["yaml", "yml", "json"]))
    var source: String

    @Option(name: .customLong("out"), help: "The HTML file (default: report.html in the run's output folder, out/<name>/).")
    var output: String?

    @OptionGroup var store: StoreOptions

    @Flag(help: "No progress output; warnings and errors only.")
    var quiet = false

    func run() throws {
        let results: RunResults, contentStore: ContentStore, folder: String
        if FileManager.default.fileExists(atPath: source), [".yaml", ".yml", ".json"].contains(where: { source.lowercased().hasSuffix($0) }) {
            let prepared = try prepareOrExit(spec: source, store: store.resolved(spec: source))
            let display = ProgressDisplay(style: .choose(quiet: quiet, logFormat: "text"))
            let options = ExecutionOptions(jobs: ProcessInfo.processInfo.activeProcessorCount, requirePassingTests: false, withheldKinds: [.profile, .package, .deploy])
            let (ran, execution) = try executeOrExit(prepared, options: options, display: display)
            folder = Session.defaultOutput(specPath: source, experiment: ran.experiment)
            do {
                try Session.record(prepared, ran, execution, outputFolder: folder, writeLock: false, writeResults: false)
            } catch {
                printError("error: \(error.description)")
                throw ExitCodes.failure
            }
            results = ran
            contentStore = prepared.store
        } else {
            contentStore = try openStoreOrExit(store.resolved(spec: nil))
            results = try recordedRunOrExit(source, in: contentStore)
            folder = Session.defaultOutput(specPath: results.spec.path, experiment: results.experiment)
        }
        let path = output ?? "\(folder)/report.html"
        do {
            let html = try ReportBuilder.html(results: results, store: contentStore)
            if output == nil { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            try writeOutput(Data(html.utf8), to: path)
            print("report: \(path) (\(html.utf8.count) bytes, run \(results.runID))")
        } catch let error as ReportBuilder.Failure {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        } catch {
            printError("error: cannot write \(path): \(error)")
            throw ExitCodes.failure
        }
    }
}
