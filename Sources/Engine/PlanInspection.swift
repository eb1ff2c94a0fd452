import Foundation
import Packaging
import Tabular

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
    /// Walks the graph as the executor would, without computing anything. Stages of one
    /// depth (all the fits, say) are looked up in parallel on `threads`. `lock` (the last
    /// run's, read only when some stage would run) explains why a stage would rerun.
    public static func inspect(_ prepared: PreparedRun, threads: Int = ProcessInfo.processInfo.activeProcessorCount, lock readLock: () -> LockFile?) -> [PlannedStage] {
        let graph = prepared.graph, store = prepared.store
        var depth = [Int](repeating: 0, count: graph.stages.count)
        for (index, stage) in graph.stages.enumerated() {
            depth[index] = stage.dependencies.map { depth[$0] + 1 }.max() ?? 0
        }
        var outputs: [Int: String] = [:]
        var lookups: [Lookup?] = Array(repeating: nil, count: graph.stages.count)
        for level in 0...(depth.max() ?? 0) {
            let members = depth.indices.filter { depth[$0] == level }
            let known = outputs
            let found = ParallelWork.map(count: members.count, threads: members.count >= 256 ? threads : 1) { position in
                lookup(graph.stages[members[position]], graph: graph, store: store, outputs: known)
            }
            for (position, index) in members.enumerated() {
                lookups[index] = found[position]
                if let output = found[position].output { outputs[index] = output }
            }
        }
        var lock: LockFile?
        var locked: [String: LockFile.StageEntry]?
        return graph.stages.indices.map { index in
            let stage = graph.stages[index], found = lookups[index]!
            let producers = stage.dependencies.sorted().map { graph.stages[$0].name }
            var entry = PlannedStage(name: stage.name, kind: stage.kind, key: found.key, state: found.output == nil ? .run : .cached, reason: "", inputs: producers)
            if found.output != nil {
                entry.reason = "up to date"
            } else if let waiting = found.waiting {
                entry.reason = "runs after '\(graph.stages[waiting].name)'"
            } else if let key = found.key, let params = found.params {
                if locked == nil {
                    lock = readLock()
                    locked = Dictionary((lock?.stages ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
                }
                entry.reason = reason(stage, key: key, params: params, inputs: found.inputs, previous: locked?[stage.name], haveLock: lock != nil)
            }
            return entry
        }
    }

    /// One stage's key and cache state, given the outputs known so far.
    private struct Lookup: Sendable {
        var key: String?
        var params: String?
        var inputs: [String: String] = [:]
        var output: String?
        /// The stage that must run before this one's key is known.
        var waiting: Int?
    }

    private static func lookup(_ stage: Stage, graph: ExperimentGraph, store: ContentStore, outputs: [Int: String]) -> Lookup {
        if let waiting = stage.dependencies.sorted().first(where: { outputs[$0] == nil }) { return Lookup(waiting: waiting) }
        var inputs = stage.external
        for input in stage.inputs { inputs[input.role] = outputs[input.stage]! }
        let params: Data
        switch stage.parameters {
        case .fixed(let data):
            params = data
        case .winner(let select):
            guard let index = graph.index(of: stage.name),
                  let data = try? graph.parameters(of: index, winner: { winner(of: $0, store, outputs) }) else { return Lookup(waiting: select) }
            params = data
        }
        let paramsDigest = Hashing.sha256(params)
        let key = Stage.key(kind: stage.kind, paramsDigest: paramsDigest, inputs: inputs)
        let output = store.cachedRecord(for: key)?.outputs[stage.output]
        return Lookup(key: key, params: paramsDigest, inputs: inputs, output: output)
    }

    /// The winner's index from a finished select stage's leaderboard, decoded no further:
    /// decoding every score would cost more than the rest of the plan.
    private static func winner(of select: Int, _ store: ContentStore, _ outputs: [Int: String]) -> Int? {
        struct Winner: Decodable { var best: Int }
        guard let digest = outputs[select], let data = try? store.read(digest),
              let winner = try? CanonicalJSON.decode(Winner.self, from: data) else { return nil }
        return winner.best
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
