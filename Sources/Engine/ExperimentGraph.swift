import Foundation
import Learn
import Spec
import Tabular

/// A validated spec planned as a DAG of stages: load → split → fit (candidate × fold) →
/// select → refit → evaluate. Stages are in topological order.
public struct ExperimentGraph: Sendable {
    public var stages: [Stage]
    public var experimentName: String
    public var task: Task
    public var target: String
    public var scoring: Metric
    public var metrics: [Metric]
    public var folds: Int
    /// The spec's search candidates, in the leaderboard's order.
    var candidates: [SearchCandidate]
    var modelTypes: [String]
    /// The data source: where it is, and its digest when the graph was planned.
    public var sourcePath: String
    public var source: DataDigest
    /// The table the spec checks already read, so the load stage need not read it again.
    var preloaded: Table?

    public var selectIndex: Int { stages.count - 3 }
    public var evaluateIndex: Int { stages.count - 1 }

    /// Plans a checked spec. `check` must be valid and carry its table and task.
    public static func plan(_ check: SpecCheck, source: DataDigest) throws(EngineError) -> ExperimentGraph {
        guard let experiment = check.experiment, let table = check.table, let task = check.task else {
            throw EngineError("the spec must be valid, with its data read, before it can be planned")
        }
        let target = experiment.data.target.value
        let dropped = Set(experiment.data.drop.map(\.value))
        let features = table.dropping(columns: dropped.union([target]))
        let plan: SearchPlan
        do {
            plan = try experiment.searchPlan(task: task, columns: features.columns.map { ($0.name, $0.kind) }, threads: 1)
        } catch {
            throw EngineError(error.message)
        }
        let options = experiment.data.readOptions
        let load = LoadParams(
            format: options.format ?? DataFormat.inferred(fromPath: experiment.data.resolvedPath),
            delimiter: options.delimiter, naValues: options.naValues, columnKinds: options.columnKinds,
            target: target, drop: experiment.data.drop.map(\.value).sorted(),
            rowFilters: plan.rowFilters.map { LoadParams.RowFilter(columns: $0.columns, threshold: $0.threshold) })
        let split = SplitParams(
            target: target, task: task, testSize: plan.testSize, stratify: plan.stratifySplit, shuffle: plan.shuffleSplit,
            seed: experiment.seed, folds: plan.settings.folds, stratifiedFolds: plan.settings.stratified && task == .classification,
            shuffleFolds: plan.settings.shuffle)
        var stages = [
            Stage(name: "load", kind: .load, params: CanonicalJSON.encode(load), inputs: [], external: ["data": source.digest]),
            Stage(name: "split", kind: .split, params: CanonicalJSON.encode(split), inputs: [.init(role: "dataset", stage: 0)]),
        ]
        let metrics = plan.settings.metrics
        // Thousands of fit stages share everything but the model and the fold: encode the
        // shared parts once and assemble each stage's parameters from them.
        let steps = CanonicalJSON.encode(plan.steps)
        let shared: [(String, Data)] = [("metrics", CanonicalJSON.encode(metrics)), ("target", CanonicalJSON.encode(target)), ("task", CanonicalJSON.encode(task))]
        let folds = plan.settings.folds
        let candidates = plan.candidates
        // Threads pay off only for large searches; starting them costs more than a few encodes.
        let encoded = ParallelWork.map(count: candidates.count, threads: candidates.count >= 256 ? ProcessInfo.processInfo.activeProcessorCount : 1) { index in
            let pipeline = CanonicalJSON.object([("model", CanonicalJSON.encode(candidates[index].pipeline.model.withThreads(1))), ("steps", steps)])
            return (0..<folds).map { fold in CanonicalJSON.object(shared + [("fold", Data(String(fold).utf8)), ("pipeline", pipeline)]) }
        }
        var fitStages: [Stage.Input] = []
        var labels: Set<String> = []
        for (index, candidate) in candidates.enumerated() {
            var label = candidateLabel(candidate)
            if labels.contains(label) { label += " #\(index + 1)" }
            labels.insert(label)
            for fold in 0..<folds {
                fitStages.append(.init(role: "c\(index)f\(fold)", stage: stages.count))
                stages.append(Stage(
                    name: "fit \(label) fold \(fold + 1)/\(folds)", kind: .fit, params: encoded[index][fold],
                    inputs: [.init(role: "dataset", stage: 0), .init(role: "split", stage: 1)]))
            }
        }
        let modelTypes = plan.candidates.map(\.pipeline.model.typeName)
        let select = SelectParams(
            candidates: zip(plan.candidates, modelTypes).map { .init(model: $0.model, type: $1, params: $0.params) },
            scoring: plan.settings.scoring, metrics: metrics, folds: plan.settings.folds)
        stages.append(Stage(name: "select", kind: .select, params: CanonicalJSON.encode(select), inputs: fitStages))
        stages.append(Stage(name: "refit", kind: .refit, params: nil, inputs: [.init(role: "dataset", stage: 0), .init(role: "split", stage: 1)], after: [stages.count - 1]))
        stages.append(Stage(
            name: "evaluate", kind: .evaluate, params: CanonicalJSON.encode(EvaluateParams(target: target, task: task, metrics: metrics)),
            inputs: [.init(role: "model", stage: stages.count - 1), .init(role: "dataset", stage: 0), .init(role: "split", stage: 1)]))
        return ExperimentGraph(
            stages: stages, experimentName: experiment.name, task: task, target: target, scoring: plan.settings.scoring,
            metrics: metrics, folds: plan.settings.folds, candidates: plan.candidates, modelTypes: modelTypes,
            sourcePath: experiment.data.resolvedPath, source: source, preloaded: table)
    }

    /// "logreg{C=1, penalty=l2}": the model name and its grid values.
    static func candidateLabel(_ candidate: SearchCandidate) -> String {
        candidate.params.isEmpty ? candidate.model
            : candidate.model + "{" + candidate.params.keys.sorted().map { "\($0)=\(candidate.params[$0]!)" }.joined(separator: ", ") + "}"
    }

    /// The refit stage's parameters: the winning candidate's pipeline, so the key covers
    /// exactly what is fitted and changing a losing candidate does not refit the winner.
    func refitParams(best: Int) throws(EngineError) -> Data {
        guard candidates.indices.contains(best) else { throw EngineError("the leaderboard names candidate \(best + 1), but the plan has \(candidates.count)") }
        let candidate = candidates[best]
        return CanonicalJSON.encode(RefitParams(target: target, task: task, pipeline: PipelineConfig(steps: candidate.pipeline.steps, model: candidate.pipeline.model.withThreads(1))))
    }
}

/// An engine failure, as a complete message.
public struct EngineError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
