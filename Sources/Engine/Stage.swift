import Crypto
import Foundation
import Packaging

/// The kinds of stage a graph can hold. Each kind's facts and computation live in one
/// definition (`Stages/`); this enum is only its stable name in keys, records and locks.
public enum StageKind: String, Codable, Sendable, CaseIterable {
    case load, split, fit, select, refit, evaluate, diagnose, test, profile, package, deploy

    var definition: any StageDefinition.Type {
        switch self {
        case .load: return LoadStage.self
        case .split: return SplitStage.self
        case .fit: return FitStage.self
        case .select: return SelectStage.self
        case .refit: return RefitStage.self
        case .evaluate: return EvaluateStage.self
        case .diagnose: return DiagnoseStage.self
        case .test: return ModelTestStage.self
        case .profile: return ProfileStage.self
        case .package: return PackageStage.self
        case .deploy: return DeployStage.self
        }
    }

    /// Part of every key: bumped when a stage's computation changes what it outputs for the
    /// same inputs, so older cached results are not reused.
    public var version: Int { definition.version }

    /// The output's name, for kinds whose stages all name it the same way.
    public var output: String { definition.output }

    var form: Artifact.Form { definition.form }
}

/// One node of the experiment's DAG.
public struct Stage: Sendable {
    public struct Input: Sendable {
        /// The input's name inside this stage's key.
        public var role: String
        /// Index of the producing stage in the graph.
        public var stage: Int
    }

    /// Where a stage's parameters come from.
    enum Parameters: Sendable {
        /// Known when the graph is planned.
        case fixed(Data)
        /// The winning candidate's pipeline, known once the named select stage has run
        /// (refit: its key covers exactly what is fitted, so changing a losing candidate
        /// does not refit the winner).
        case winner(select: Int)
    }

    /// Unique in the graph and stable across edits that do not touch the stage (lock entries
    /// are matched by name).
    public var name: String
    public var kind: StageKind
    var parameters: Parameters
    public var inputs: [Input]
    /// The output's name in records and results (a package stage names its format).
    public var output: String
    /// Inputs from outside the graph (the data file), role → digest.
    public var external: [String: String] = [:]
    /// Stages that must finish first without being inputs of the key (refit reads the
    /// winner from select to know its parameters).
    public var after: [Int] = []

    init(name: String, kind: StageKind, parameters: Parameters, inputs: [Input], output: String? = nil, external: [String: String] = [:], after: [Int] = []) {
        self.name = name
        self.kind = kind
        self.parameters = parameters
        self.inputs = inputs
        self.output = output ?? kind.output
        self.external = external
        self.after = after
    }

    /// Every stage this one waits for.
    var dependencies: Set<Int> { Set(inputs.map(\.stage) + after) }

    /// The parameters when they are known at planning time.
    var fixedParameters: Data? {
        if case .fixed(let data) = parameters { return data }
        return nil
    }

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

/// Input roles shared by the stages that produce and read them.
enum StageRole {
    static let dataset = "dataset"
    static let split = "split"
    static let model = "model"
    static let leaderboard = "leaderboard"
    static let evaluation = "evaluation"
    /// The training data's profile a package stage puts in the bundle.
    static let profile = "profile"
    /// The packaged bundle a deploy stage serves.
    static let bundle = "bundle"

    /// The scores of one candidate on one fold, as the select stage reads them.
    static func scores(candidate: Int, fold: Int) -> String { "c\(candidate)f\(fold)" }
}
