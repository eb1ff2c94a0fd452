import Foundation
import Learn

/// One share of a search's cross-validation fits: `index` of `count`, both counted from 1
/// (`runner run --shard 2/3`).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public var description: String { "\(index)/\(count)" }

    public init?(index: Int, count: Int) {
        guard count >= 1, count <= 10_000, index >= 1, index <= count else { return nil }
        self.index = index
        self.count = count
    }

    /// `I/N`, or nil.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    /// The shard a CI system gives this job: RUNNER_SHARD (`I/N`, what generated GitHub
    /// workflows set from their matrix), GitLab's `parallel:` (CI_NODE_INDEX / CI_NODE_TOTAL,
    /// from 1), or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, from 0, with
    /// RUNNER_SHARD_TOTAL). The error names what was looked for.
    public static func fromEnvironment(_ environment: [String: String]) -> Result<Shard, ShardError> {
        if let text = environment["RUNNER_SHARD"], !text.isEmpty {
            return Shard(text).map { .success($0) } ?? .failure(.invalid("RUNNER_SHARD=\(text)"))
        }
        if let index = environment["CI_NODE_INDEX"], let total = environment["CI_NODE_TOTAL"] {
            guard let i = Int(index), let n = Int(total), let shard = Shard(index: i, count: n) else {
                return .failure(.invalid("CI_NODE_INDEX=\(index) CI_NODE_TOTAL=\(total)"))
            }
            return .success(shard)
        }
        if let index = environment["JOB_COMPLETION_INDEX"] {
            guard let total = environment["RUNNER_SHARD_TOTAL"] else {
                return .failure(.invalid("JOB_COMPLETION_INDEX=\(index) without RUNNER_SHARD_TOTAL (the Job's completions)"))
            }
            guard let i = Int(index), let n = Int(total), let shard = Shard(index: i + 1, count: n) else {
                return .failure(.invalid("JOB_COMPLETION_INDEX=\(index) RUNNER_SHARD_TOTAL=\(total)"))
            }
            return .success(shard)
        }
        return .failure(.notFound)
    }
}

public enum ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)
    case notFound

    public var description: String {
        switch self {
        case .invalid(let what): return "\(what) is not a shard: write I/N with 1 <= I <= N"
        case .notFound: return "--shard auto found no shard in the environment (RUNNER_SHARD=I/N, GitLab's CI_NODE_INDEX/CI_NODE_TOTAL, or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX with RUNNER_SHARD_TOTAL)"
        }
    }
}

/// Which shard computes which fit: every machine computes the same assignment from the graph
/// alone. Fits are dealt out longest first, each to the shard with the least estimated work
/// so far (ties: the lower shard), so shards finish at about the same time without any
/// coordination.
public enum ShardPlan {
    /// Fit stage index → the shard (from 1) that computes it.
    public static func assignment(_ graph: ExperimentGraph, shards: Int) -> [Int: Int] {
        let fits = graph.fitStages.map { (stage: $0.stage, cost: cost(of: graph.candidates[$0.candidate], task: graph.task)) }
            .sorted { $0.cost != $1.cost ? $0.cost > $1.cost : $0.stage < $1.stage }
        var load = [Double](repeating: 0, count: max(1, shards))
        var assigned: [Int: Int] = [:]
        for fit in fits {
            var lightest = 0
            for shard in load.indices where load[shard] < load[lightest] { lightest = shard }
            load[lightest] += fit.cost
            assigned[fit.stage] = lightest + 1
        }
        return assigned
    }

    /// A relative estimate of one fit's work: what the family costs per unit, times its
    /// count of trees or iterations. Only the ranking matters, and only roughly.
    static func cost(of candidate: SearchCandidate, task: LearningTask) -> Double {
        let family = candidate.pipeline.model.family
        func parameter(_ name: String) -> Double {
            if let written = candidate.params[name], let value = Double(written) { return value }
            guard let spec = family.param(named: name) else { return 1 }
            return (task == .classification ? spec.classificationDefault : spec.regressionDefault).number ?? 1
        }
        switch family.name {
        case "random_forest", "extra_trees": return 1 + parameter("n_estimators")
        case "hist_gradient_boosting": return 1 + 0.3 * parameter("max_iter")
        case "decision_tree": return 2
        case "logistic_regression": return 5
        case "k_neighbors": return 3
        case "lasso", "ridge", "linear_regression": return 2
        default: return 1
        }
    }
}
