import Foundation
import Learn
import Tabular

/// Train/test rows of the dataset and the cross-validation folds, as indices into the training rows.
public struct SplitIndices: Codable, Sendable, Equatable {
    public var train: [Int]
    public var test: [Int]
    public var folds: [DataSplit.Fold]
}

/// One (candidate, fold) score: metric name → value on the fold's validation rows.
public struct FoldOutcome: Codable, Sendable, Equatable {
    public var metrics: [String: Double]
}

/// Every candidate's cross-validated scores and the winner.
public struct Leaderboard: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var model: String
        public var type: String
        public var params: [String: String]
        public var scores: [String: FoldScores]
    }

    public var scoring: String
    public var metrics: [String]
    public var candidates: [Entry]
    public var best: Int
}

/// The refitted winner's scores on the held-out test rows.
public struct TestEvaluation: Codable, Sendable, Equatable {
    public var rows: Int
    public var metrics: [String: Double]
    /// Classification: rows are true classes, columns predicted, in `classes` order.
    public var confusionMatrix: [[Int]]?
    public var classes: [String]?
}

/// A stage output in memory, with its stored form.
enum Artifact: Sendable {
    case table(Table)
    case split(SplitIndices)
    case fold(FoldOutcome)
    case leaderboard(Leaderboard)
    case model(FittedPipeline)
    case evaluation(TestEvaluation)

    enum Form: String, Sendable {
        case table, split, fold, leaderboard, model, evaluation
    }

    func encoded() -> Data {
        switch self {
        case .table(let table): return TableCodec.encode(table)
        case .split(let value): return CanonicalJSON.encode(value)
        case .fold(let value): return CanonicalJSON.encode(value)
        case .leaderboard(let value): return CanonicalJSON.encode(value)
        case .model(let value): return CanonicalJSON.encode(value)
        case .evaluation(let value): return CanonicalJSON.encode(value)
        }
    }

    static func decode(_ data: Data, as form: Form) throws -> Artifact {
        switch form {
        case .table: return .table(try TableCodec.decode(data))
        case .split: return .split(try CanonicalJSON.decode(SplitIndices.self, from: data))
        case .fold: return .fold(try CanonicalJSON.decode(FoldOutcome.self, from: data))
        case .leaderboard: return .leaderboard(try CanonicalJSON.decode(Leaderboard.self, from: data))
        case .model: return .model(try CanonicalJSON.decode(FittedPipeline.self, from: data))
        case .evaluation: return .evaluation(try CanonicalJSON.decode(TestEvaluation.self, from: data))
        }
    }

    var table: Table? { if case .table(let value) = self { return value } else { return nil } }
    var split: SplitIndices? { if case .split(let value) = self { return value } else { return nil } }
    var fold: FoldOutcome? { if case .fold(let value) = self { return value } else { return nil } }
    var leaderboard: Leaderboard? { if case .leaderboard(let value) = self { return value } else { return nil } }
    var model: FittedPipeline? { if case .model(let value) = self { return value } else { return nil } }
    var evaluation: TestEvaluation? { if case .evaluation(let value) = self { return value } else { return nil } }
}
