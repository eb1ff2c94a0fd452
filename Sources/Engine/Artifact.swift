import Deploy
import Foundation
import Learn
import Packaging
import Tabular

/// Train/test rows of the dataset and the cross-validation folds, as indices into the training rows.
public struct SplitIndices: Sendable, Equatable {
    public var train: [Int]
    public var test: [Int]
    public var folds: [DataSplit.Fold]

    /// Binary form (JSON of a few hundred thousand indices costs more than the split itself):
    /// "RSPL", then u32 lists (count, values) little-endian: train, test, fold count, and per
    /// fold its training and validation lists.
    func encoded() -> Data {
        var lists = [train, test]
        for fold in folds { lists += [fold.train, fold.validation] }
        var words: [UInt32] = [UInt32(folds.count)]
        for list in lists {
            words.append(UInt32(list.count))
            words += list.map { UInt32($0) }
        }
        var data = Data("RSPL".utf8)
        words.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    init(train: [Int], test: [Int], folds: [DataSplit.Fold]) {
        self.train = train
        self.test = test
        self.folds = folds
    }

    init(decoding data: Data) throws(EngineError) {
        guard data.count >= 8, data.prefix(4) == Data("RSPL".utf8), (data.count - 4) % 4 == 0 else { throw EngineError.damagedArtifact("not a split blob") }
        let count = (data.count - 4) / 4
        // Copied out rather than bound in place: a Data slice need not be aligned.
        let words = [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.dropFirst(4).withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
        var position = 1
        func list() throws(EngineError) -> [Int] {
            guard position < words.count else { throw EngineError.damagedArtifact("truncated split blob") }
            let count = Int(words[position])
            guard words.count - position - 1 >= count else { throw EngineError.damagedArtifact("truncated split blob") }
            defer { position += 1 + count }
            return words[(position + 1)..<(position + 1 + count)].map { Int($0) }
        }
        let foldCount = Int(words[0])
        train = try list()
        test = try list()
        var folds: [DataSplit.Fold] = []
        for _ in 0..<foldCount { folds.append(DataSplit.Fold(train: try list(), validation: try list())) }
        guard position == words.count else { throw EngineError.damagedArtifact("trailing bytes in split blob") }
        self.folds = folds
    }
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
    /// A packaged model file's bytes (bundle or ONNX), stored as they are written out.
    case package(Data)
    /// A deploy target's plan: its files and the steps that apply and destroy it.
    case deployment(DeploymentPlan)
    /// The training data's profile a bundle carries for drift monitoring.
    case profile(ReferenceProfile)
    /// The winner's behaviour on the test rows beyond its metrics.
    case diagnostics(ModelDiagnostics)
    /// One model test's outcome.
    case testResult(ModelTestResult)

    enum Form: String, Sendable {
        case table, split, fold, leaderboard, model, evaluation, package, deployment, profile, diagnostics, testResult
    }

    func encoded() -> Data {
        switch self {
        case .table(let table): return TableCodec.encode(table)
        case .split(let value): return value.encoded()
        case .fold(let value): return CanonicalJSON.encode(value)
        case .leaderboard(let value): return CanonicalJSON.encode(value)
        case .model(let value): return CanonicalJSON.encode(value)
        case .evaluation(let value): return CanonicalJSON.encode(value)
        case .package(let data): return data
        case .deployment(let value): return CanonicalJSON.encode(value)
        case .profile(let value): return CanonicalJSON.encode(value)
        case .diagnostics(let value): return CanonicalJSON.encode(value)
        case .testResult(let value): return CanonicalJSON.encode(value)
        }
    }

    static func decode(_ data: Data, as form: Form) throws -> Artifact {
        switch form {
        case .table: return .table(try TableCodec.decode(data))
        case .split: return .split(try SplitIndices(decoding: data))
        case .fold: return .fold(try CanonicalJSON.decode(FoldOutcome.self, from: data))
        case .leaderboard: return .leaderboard(try CanonicalJSON.decode(Leaderboard.self, from: data))
        case .model: return .model(try CanonicalJSON.decode(FittedPipeline.self, from: data))
        case .evaluation: return .evaluation(try CanonicalJSON.decode(TestEvaluation.self, from: data))
        case .package: return .package(data)
        case .deployment: return .deployment(try CanonicalJSON.decode(DeploymentPlan.self, from: data))
        case .profile: return .profile(try CanonicalJSON.decode(ReferenceProfile.self, from: data))
        case .diagnostics: return .diagnostics(try CanonicalJSON.decode(ModelDiagnostics.self, from: data))
        case .testResult: return .testResult(try CanonicalJSON.decode(ModelTestResult.self, from: data))
        }
    }

    var table: Table? { if case .table(let value) = self { return value } else { return nil } }
    var split: SplitIndices? { if case .split(let value) = self { return value } else { return nil } }
    var fold: FoldOutcome? { if case .fold(let value) = self { return value } else { return nil } }
    var leaderboard: Leaderboard? { if case .leaderboard(let value) = self { return value } else { return nil } }
    var model: FittedPipeline? { if case .model(let value) = self { return value } else { return nil } }
    var evaluation: TestEvaluation? { if case .evaluation(let value) = self { return value } else { return nil } }
    var package: Data? { if case .package(let value) = self { return value } else { return nil } }
    var deployment: DeploymentPlan? { if case .deployment(let value) = self { return value } else { return nil } }
    var profile: ReferenceProfile? { if case .profile(let value) = self { return value } else { return nil } }
    var diagnostics: ModelDiagnostics? { if case .diagnostics(let value) = self { return value } else { return nil } }
    var testResult: ModelTestResult? { if case .testResult(let value) = self { return value } else { return nil } }
}
