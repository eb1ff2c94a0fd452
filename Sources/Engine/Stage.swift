import Crypto
import Foundation
import Learn
import Tabular

public enum StageKind: String, Codable, Sendable, CaseIterable {
    /// Reads the data source; drops columns and rows the spec removes.
    case load
    /// Train/test rows and the cross-validation folds of the training rows.
    case split
    /// Fits one candidate on one fold's training rows and scores its validation rows.
    case fit
    /// Aggregates fold scores per candidate and picks the winner.
    case select
    /// Fits the winner on all training rows.
    case refit
    /// Scores the refitted winner on the test rows.
    case evaluate

    /// Part of every key: bump when a stage's computation changes what it outputs for the
    /// same inputs, so older cached results are not reused.
    public var version: Int {
        switch self {
        // 2: fitted trees and matrices are stored as packed arrays.
        case .refit: return 2
        default: return 1
        }
    }

    /// Each stage has one output, named after what it holds.
    public var output: String {
        switch self {
        case .load: return "dataset"
        case .split: return "split"
        case .fit: return "scores"
        case .select: return "leaderboard"
        case .refit: return "model"
        case .evaluate: return "evaluation"
        }
    }

    var form: Artifact.Form {
        switch self {
        case .load: return .table
        case .split: return .split
        case .fit: return .fold
        case .select: return .leaderboard
        case .refit: return .model
        case .evaluate: return .evaluation
        }
    }
}

/// One node of the experiment's DAG.
public struct Stage: Sendable {
    public struct Input: Sendable {
        /// The input's name inside this stage's key.
        public var role: String
        /// Index of the producing stage in the graph.
        public var stage: Int
    }

    /// Unique in the graph and stable across edits that do not touch the stage (lock entries
    /// are matched by name).
    public var name: String
    public var kind: StageKind
    /// Canonical JSON parameters; nil for `refit` until the leaderboard names the winner.
    var params: Data?
    public var inputs: [Input]
    /// Inputs from outside the graph (the data file), role → digest.
    public var external: [String: String] = [:]
    /// Stages that must finish first without being inputs of the key (refit reads the
    /// winner from select to know its parameters).
    public var after: [Int] = []

    /// Every stage this one waits for.
    var dependencies: Set<Int> { Set(inputs.map(\.stage) + after) }

    /// The key: SHA-256 over kind, implementation version, parameters and input digests,
    /// as lines `kind`, `version`, `params <digest>`, then `input <role> <digest>` sorted by
    /// role (roles and kinds are fixed identifiers, digests hex: the text is unambiguous).
    static func key(kind: StageKind, params: Data, inputs: [String: String]) -> String {
        key(kind: kind, paramsDigest: Hashing.sha256(params), inputs: inputs)
    }

    /// The same key from the parameters' digest, for callers that keep the digest anyway.
    static func key(kind: StageKind, paramsDigest: String, inputs: [String: String]) -> String {
        var material = Array("runner-stage-key 1\n\(kind.rawValue)\n\(kind.version)\nparams ".utf8)
        material += paramsDigest.utf8
        for role in inputs.keys.sorted() {
            material += Array("\ninput \(role) ".utf8)
            material += inputs[role]!.utf8
        }
        material.append(0x0A)
        return Hashing.hex(SHA256.hash(data: material))
    }
}

// MARK: stage parameters (what each computation depends on besides its inputs)

struct LoadParams: Codable, Sendable {
    struct RowFilter: Codable, Sendable {
        var columns: ColumnSelection
        var threshold: Double
    }

    var format: DataFormat
    var delimiter: UInt8?
    var naValues: [String]
    var columnKinds: [String: ColumnKind]
    var target: String
    var drop: [String]
    var rowFilters: [RowFilter]
}

struct SplitParams: Codable, Sendable {
    var target: String
    var task: Task
    var testSize: DataSplit.TestSize
    var stratify: Bool
    var shuffle: Bool
    var seed: UInt64
    var folds: Int
    var stratifiedFolds: Bool
    var shuffleFolds: Bool
}

struct FitParams: Codable, Sendable {
    var target: String
    var task: Task
    var pipeline: PipelineConfig
    var fold: Int
    var metrics: [Metric]
}

struct SelectParams: Codable, Sendable {
    struct Candidate: Codable, Sendable {
        var model: String
        var type: String
        var params: [String: String]
    }

    var candidates: [Candidate]
    var scoring: Metric
    var metrics: [Metric]
    var folds: Int
}

struct RefitParams: Codable, Sendable {
    var target: String
    var task: Task
    var pipeline: PipelineConfig
}

struct EvaluateParams: Codable, Sendable {
    var target: String
    var task: Task
    var metrics: [Metric]
}
