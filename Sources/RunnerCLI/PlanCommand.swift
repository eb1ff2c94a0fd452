import ArgumentParser
import Engine
import Foundation
import Tabular

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the experiment's DAG: each stage, its key, and whether it is cached or would run, and why."
    )

    @Argument(help: "The experiment spec (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json"]))
    var spec: String

    @OptionGroup var store: StoreOptions

    @Option(help: "text, dot (Graphviz) or json.")
    var format = "text"

    func validate() throws {
        if !["text", "dot", "json"].contains(format) { throw ValidationError("--format must be text, dot or json") }
    }

    func run() throws {
        let prepared = try prepareOrExit(spec: spec, store: store.resolved(spec: spec))
        let planned = PlanInspection.inspect(prepared) { try? LockFile.read(LockFile.path(forSpec: spec)) }
        switch format {
        case "dot":
            print(PlanInspection.dot(prepared.graph, planned), terminator: "")
        case "json":
            print(jsonText(planned))
        default:
            var table = TextTable(header: ["stage", "key", "state", "why"])
            for stage in planned {
                table.rows.append([stage.name, stage.key.map { String($0.prefix(12)) } ?? "-", stage.state.rawValue, stage.reason])
            }
            print(table.render())
            let cached = planned.filter { $0.state == .cached }.count
            print("\(planned.count) stages: \(cached) cached, \(planned.count - cached) to run")
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Say whether an experiment is up to date, and what would rerun and why.",
        discussion: "Exits 0 either way; 1 on errors, 2 when the spec is invalid."
    )

    @Argument(help: "The experiment spec (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json"]))
    var spec: String

    @OptionGroup var store: StoreOptions

    func run() throws {
        let prepared = try prepareOrExit(spec: spec, store: store.resolved(spec: spec))
        let lockPath = LockFile.path(forSpec: spec)
        var lock: LockFile?
        var lockProblem: String?
        do {
            lock = try LockFile.readIfPresent(lockPath)
        } catch {
            lockProblem = error.description
        }
        let planned = PlanInspection.inspect(prepared) { lock }
        var notes: [String] = []
        if let lock {
            if lock.spec.digest != prepared.spec.digest { notes.append("the spec changed since \(lockPath) was written") }
            if lock.data.digest != prepared.graph.source.digest { notes.append("the data changed since \(lockPath) was written") }
        } else if let lockProblem {
            notes.append(lockProblem)
        } else {
            notes.append("no lock yet (\(lockPath))")
        }
        let stale = planned.filter { $0.state == .run }
        if stale.isEmpty {
            print("\(prepared.graph.experimentName): up to date (\(planned.count) stages cached)")
        } else {
            print("\(prepared.graph.experimentName): \(stale.count) of \(planned.count) stages would run")
            // Group identical reasons so a grid change does not print hundreds of lines.
            var byReason: [(String, [String])] = []
            for stage in stale {
                if let index = byReason.firstIndex(where: { $0.0 == stage.reason }) { byReason[index].1.append(stage.name) } else { byReason.append((stage.reason, [stage.name])) }
            }
            for (reason, names) in byReason {
                let shown = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
                print("  \(reason): \(shown)")
            }
        }
        for note in notes { print("note: \(note)") }
    }
}
