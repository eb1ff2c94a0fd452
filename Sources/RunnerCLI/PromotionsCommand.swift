import ArgumentParser
import Engine
import Foundation
import Tabular

struct Promotions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promotions",
        abstract: "List the champion/challenger decisions of `runner monitor --retrain`, oldest first, from the store's run index.",
        discussion: "Each line: the retraining run, the deployed bundle (champion) and the new one (challenger) with their scores on the held-out new rows, and whether the challenger was promoted."
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Only this experiment's decisions.")
    var experiment: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let contentStore = try openStoreOrExit(store.resolved(spec: nil))
        let records: [PromotionRecord]
        do {
            records = try RunIndex(store: contentStore).promotions(experiment: experiment)
        } catch {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        }
        if json {
            print(jsonText(records))
            return
        }
        var table = TextTable(header: ["decided", "experiment", "run", "metric", "champion", "score", "challenger", "score", "rows", "promoted"])
        table.rightAligned = [5, 7, 8]
        for record in records {
            table.rows.append([record.decided, record.experiment, record.runID, record.metric, String(record.champion.prefix(12)),
                               record.championScore.map { String(format: "%.4f", $0) } ?? "n/a", String(record.challenger.prefix(12)),
                               String(format: "%.4f", record.challengerScore), String(record.holdoutRows), record.promoted ? "yes" : "no"])
        }
        print(table.render())
    }
}
