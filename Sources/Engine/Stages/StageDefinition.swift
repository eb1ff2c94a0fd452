import Foundation
import Synchronization
import Learn
import Packaging
import Tabular

/// One kind of stage: its typed parameters, implementation version, output and computation.
/// Adding a kind is one file conforming to this plus a case in `StageKind`.
protocol StageDefinition {
    associatedtype Parameters: Codable & Sendable
    static var kind: StageKind { get }
    /// Part of every key of this kind; bump when the output changes for the same inputs.
    static var version: Int { get }
    /// The output's name in records and results.
    static var output: String { get }
    /// How the output is stored.
    static var form: Artifact.Form { get }
    /// Pure: the same parameters and inputs give the same output, whatever the thread count.
    static func compute(_ parameters: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String])
}

extension StageDefinition {
    /// Decodes the canonical parameters and computes.
    static func run(_ params: Data, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String]) {
        try compute(CanonicalJSON.decode(Parameters.self, from: params), inputs, context)
    }
}

/// A stage's decoded inputs by role.
struct StageInputs {
    var artifacts: [String: Artifact]

    subscript(role: String) -> Artifact? { artifacts[role] }

    func table(_ role: String = StageRole.dataset) throws(EngineError) -> Table {
        guard let table = artifacts[role]?.table else { throw EngineError.internalError("\(role) input missing") }
        return table
    }

    func split() throws(EngineError) -> SplitIndices {
        guard let split = artifacts[StageRole.split]?.split else { throw EngineError.internalError("split input missing") }
        return split
    }

    func model() throws(EngineError) -> FittedPipeline {
        guard let model = artifacts[StageRole.model]?.model else { throw EngineError.internalError("model input missing") }
        return model
    }

    func leaderboard() throws(EngineError) -> Leaderboard {
        guard let leaderboard = artifacts[StageRole.leaderboard]?.leaderboard else { throw EngineError.internalError("leaderboard input missing") }
        return leaderboard
    }

    func profile() throws(EngineError) -> ReferenceProfile {
        guard let profile = artifacts[StageRole.profile]?.profile else { throw EngineError.internalError("profile input missing") }
        return profile
    }

    func evaluation() throws(EngineError) -> TestEvaluation {
        guard let evaluation = artifacts[StageRole.evaluation]?.evaluation else { throw EngineError.internalError("evaluation input missing") }
        return evaluation
    }
}

/// What a stage's computation may use besides its parameters and inputs: the planned data
/// source, the thread budget, the run's shared memo and the packaging keys. None of it may
/// change the output's bytes (the source is checked against the digest in the key).
struct StageContext {
    let graph: ExperimentGraph
    /// Threads a single stage may use inside (model fits, predictions).
    let threads: Int
    /// Values every stage of a run would otherwise recompute: encoded targets, fold tables.
    let memo: RunMemo
    /// The inputs' digests by role (memo entries and provenance are named by them).
    let inputDigests: [String: String]
    let keys: PackagingKeys

    var datasetDigest: String? { inputDigests[StageRole.dataset] }
    var splitDigest: String? { inputDigests[StageRole.split] }

    /// Every stage of a run needs the same encoded target; encoding it is not free on large data.
    func target(_ table: Table, _ name: String, _ task: LearningTask) throws -> Target {
        let key = datasetDigest.map { "\($0) \(name) \(task.rawValue)" }
        if let key, let cached = memo.targets.value(for: key) { return cached }
        guard let column = table[name] else { throw EngineError.data("the target column '\(name)' is not in the data") }
        let encoded = try Target.encode(column, task: task)
        if let key { memo.targets.store(encoded, for: key) }
        return encoded
    }

    /// One fold's training and validation rows, shared by every candidate's fit of that fold.
    func foldData(target name: String, task: LearningTask, fold: Int, _ table: Table, _ split: SplitIndices) throws -> FoldData {
        let key = datasetDigest.flatMap { dataset in splitDigest.map { "\(dataset) \($0) \(name) \(task.rawValue) \(fold)" } }
        if let key, let cached = memo.folds.value(for: key) { return cached }
        let rows = split.folds[fold]
        let trainRows = rows.train.map { split.train[$0] }, validationRows = rows.validation.map { split.train[$0] }
        let features = table.dropping(columns: [name])
        let target = try target(table, name, task)
        let data = FoldData(train: (features.taking(rows: trainRows), target.taking(rows: trainRows)),
                            validation: (features.taking(rows: validationRows), target.taking(rows: validationRows)))
        if let key { memo.folds.store(data, for: key) }
        return data
    }
}

struct FoldData: Sendable {
    var train: (Table, Target)
    var validation: (Table, Target)
}

/// What the stages of one run share in memory, by the digests of the inputs it came from.
final class RunMemo: Sendable {
    let targets = SharedValues<Target>()
    let folds = SharedValues<FoldData>()
}

final class SharedValues<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])

    func value(for key: String) -> Value? { entries.withLock { $0[key] } }
    func store(_ value: Value, for key: String) { entries.withLock { $0[key] = value } }
}
