import ArgumentParser
import Engine
import Foundation
import Tabular

struct Deployments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployments",
        abstract: "List what `runner deploy --apply` created, per experiment and target, from the store's run index.",
        discussion: "State: applying (steps still running, or interrupted), applied, failed (what the failed apply had created). `runner deploy SPEC --target NAME --destroy` removes a deployment and its entry."
    )

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print JSON (resources as an object).")
    var json = false

    func run() throws {
        let contentStore = try openStoreOrExit(store.resolved(spec: nil))
        let records: [DeploymentRecord]
        do {
            records = try RunIndex(store: contentStore).deployments()
        } catch {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        }
        if json {
            struct Entry: Encodable {
                var experiment, target, kind, bundle, state, updated: String
                var resources: [String: String]
            }
            print(jsonText(records.map { Entry(experiment: $0.experiment, target: $0.target, kind: $0.kind, bundle: $0.bundle, state: $0.state,
                                               updated: $0.updated, resources: $0.resourceValues) }))
            return
        }
        var table = TextTable(header: ["experiment", "target", "kind", "bundle", "state", "updated", "resources"])
        for record in records {
            let resources = record.resourceValues.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            table.rows.append([record.experiment, record.target, record.kind, String(record.bundle.prefix(12)), record.state, record.updated, resources])
        }
        print(table.render())
    }
}
