import Foundation

/// What `runner plan` and `runner status` show: each stage, its key when it can be known
/// now, and whether it is cached or would run, and why.
public struct PlannedStage: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case cached
        /// Would be computed; `reason` says why.
        case run
    }

    public var name: String
    public var kind: StageKind
    /// nil when it depends on the output of a stage that must run first.
    public var key: String?
    public var state: State
    public var reason: String
    /// Names of the stages whose outputs this one reads.
    public var inputs: [String]
}

public enum PlanInspection {
    /// Walks the graph as the executor would, without computing anything. `lock` (the last
    /// run's) explains why a stage would rerun.
    public static func inspect(_ prepared: PreparedRun, lock: LockFile?) -> [PlannedStage] {
        let graph = prepared.graph, store = prepared.store
        let locked = Dictionary((lock?.stages ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var outputs: [Int: String] = [:]
        var planned: [PlannedStage] = []
        for (index, stage) in graph.stages.enumerated() {
            let producers = stage.dependencies.map { graph.stages[$0].name }
            var entry = PlannedStage(name: stage.name, kind: stage.kind, key: nil, state: .run, reason: "", inputs: Array(Set(producers)).sorted())
            defer { planned.append(entry) }
            if let waiting = stage.inputs.first(where: { outputs[$0.stage] == nil }) {
                entry.reason = "runs after '\(graph.stages[waiting.stage].name)'"
                continue
            }
            var inputs = stage.external
            for input in stage.inputs { inputs[input.role] = outputs[input.stage]! }
            guard let params = stage.params ?? refitParams(graph, store, outputs) else {
                entry.reason = "runs after 'select'"
                continue
            }
            let key = Stage.key(kind: stage.kind, params: params, inputs: inputs)
            entry.key = key
            if let record = store.cachedRecord(for: key), let output = record.outputs[stage.kind.output] {
                outputs[index] = output
                entry.state = .cached
                entry.reason = "up to date"
                continue
            }
            entry.reason = reason(stage, key: key, params: Hashing.sha256(params), inputs: inputs, previous: locked[stage.name], haveLock: lock != nil)
        }
        return planned
    }

    private static func refitParams(_ graph: ExperimentGraph, _ store: ContentStore, _ outputs: [Int: String]) -> Data? {
        guard let digest = outputs[graph.selectIndex], let data = try? store.read(digest),
              let leaderboard = (try? Artifact.decode(data, as: .leaderboard))?.leaderboard else { return nil }
        return try? graph.refitParams(leaderboard)
    }

    private static func reason(_ stage: Stage, key: String, params: String, inputs: [String: String], previous: LockFile.StageEntry?, haveLock: Bool) -> String {
        guard let previous else { return haveLock ? "new stage (not in the lock)" : "never run (no lock yet)" }
        if previous.key == key { return "its cached result is not in this store" }
        if previous.version != stage.kind.version { return "the stage's implementation changed (version \(previous.version) → \(stage.kind.version))" }
        if previous.params != params { return "parameters changed" }
        let changed = inputs.keys.sorted().filter { previous.inputs[$0] != inputs[$0] }
        if !changed.isEmpty { return "input changed: " + changed.joined(separator: ", ") }
        return "key changed"
    }

    /// Graphviz: cached stages green, stages that would run orange.
    public static func dot(_ graph: ExperimentGraph, _ planned: [PlannedStage]) -> String {
        var lines = ["digraph \"\(graph.experimentName)\" {", "  rankdir=LR;", "  node [shape=box, style=filled, fontname=Helvetica];"]
        for (index, stage) in planned.enumerated() {
            let color = stage.state == .cached ? "palegreen" : "orange"
            let label = stage.name.replacingOccurrences(of: "\"", with: "\\\"")
            lines.append("  s\(index) [label=\"\(label)\", fillcolor=\(color)];")
        }
        for (index, stage) in graph.stages.enumerated() {
            for producer in stage.dependencies.sorted() { lines.append("  s\(producer) -> s\(index);") }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
