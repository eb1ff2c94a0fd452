import ArgumentParser
import Engine
import Foundation
import Tabular

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List past runs recorded in the store, newest first.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Show at most this many runs.")
    var limit: Int?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let contentStore = try openStoreOrExit(store.resolved(spec: nil))
        let runs: [RunSummary]
        do {
            runs = try RunIndex(store: contentStore).list(limit: limit)
        } catch {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        }
        if json {
            print(jsonText(runs))
            return
        }
        var table = TextTable(header: ["run", "started", "experiment", "best", "scoring", "cv", "test", "stages", "cached", "seconds"])
        table.rightAligned = [5, 6, 7, 8, 9]
        for run in runs {
            table.rows.append([
                run.id, run.started, run.experiment, run.bestModel, run.scoring, String(format: "%.4f", run.bestScore),
                run.testScore.map { String(format: "%.4f", $0) } ?? "", "\(run.stages)", "\(run.cachedStages)", String(format: "%.2f", run.seconds),
            ])
        }
        print(table.render())
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print one run's results (a unique prefix of its id is enough).")

    @Argument(help: "The run id, or a unique prefix.")
    var id: String

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print results.json.")
    var json = false

    func run() throws {
        let contentStore = try openStoreOrExit(store.resolved(spec: nil))
        let results = try recordedRunOrExit(id, in: contentStore)
        if json {
            print(jsonText(results))
            return
        }
        print("run \(results.runID) of \(results.experiment) (\(results.task.rawValue)), started \(results.started), \(String(format: "%.2f", results.seconds)) s, runner \(results.runnerVersion)")
        print("spec \(results.spec.path) \(results.spec.digest.prefix(12)); data \(results.data.path) \(results.data.digest.prefix(12))")
        print(results.leaderboardText)
        if let tests = results.testsText { print("\n" + tests) }
        print("model: \(results.artifacts["model"] ?? "")")
    }
}

/// The results of the one recorded run whose id starts with `id`.
func recordedRunOrExit(_ id: String, in store: ContentStore) throws -> RunResults {
    do {
        let matches = try RunIndex(store: store).find(prefix: id)
        guard matches.count == 1, let summary = matches.first else {
            printError(matches.isEmpty ? "error: no run '\(id)' in \(store.root) (see `runner runs`)"
                       : "error: '\(id)' matches \(matches.count) runs (\(matches.prefix(5).map(\.id).joined(separator: ", "))); give more of the id")
            throw ExitCodes.failure
        }
        return try Session.results(of: summary, in: store)
    } catch let error as StoreError {
        printError("error: \(error.description)")
        throw ExitCodes.failure
    }
}
