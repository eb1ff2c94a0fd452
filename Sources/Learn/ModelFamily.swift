/// Everything runner knows about one model family, in one place: its spec name, the tasks
/// it solves, scikit-learn's estimator names, its hyperparameters with defaults and checks,
/// whether it takes missing values, whether ONNX can express it, and how its settings are
/// built. The spec decoder, the JSON Schema test, the search and the export read it from here.
public struct ModelFamily: Sendable {
    public let name: String
    public let tasks: Set<LearningTask>
    /// scikit-learn's estimator for each task, for the docs and messages.
    public let sklearnNames: [LearningTask: String]
    public let params: [ParamSpec]
    /// Whether the model accepts missing values in its input (else they must be imputed).
    public let handlesMissingValues: Bool
    /// Whether the ONNX export can express the fitted model.
    public let exportsToONNX: Bool
    /// The family's settings type (decoding a stored configuration needs it).
    let settingsType: any ModelSettings.Type
    /// Builds the settings from the spec's values (already checked against `params`).
    let build: @Sendable (ModelParameters) throws(LearnError) -> any ModelSettings

    init(name: String, tasks: Set<LearningTask>, sklearnNames: [LearningTask: String], params: [ParamSpec], handlesMissingValues: Bool = false,
         exportsToONNX: Bool = true, settings: any ModelSettings.Type, build: @escaping @Sendable (ModelParameters) throws(LearnError) -> any ModelSettings) {
        self.name = name
        self.tasks = tasks
        self.sklearnNames = sklearnNames
        self.params = params
        self.handlesMissingValues = handlesMissingValues
        self.exportsToONNX = exportsToONNX
        self.settingsType = settings
        self.build = build
    }

    public func param(named name: String) -> ParamSpec? { params.first { $0.name == name } }

    /// The model configuration for the spec's parameter values, scikit-learn's defaults
    /// filling in the rest.
    public func configuration(_ values: [String: ParamValue], task: LearningTask, seed: UInt64) throws(LearnError) -> ModelConfig {
        for name in values.keys where param(named: name) == nil {
            throw LearnError.settings("\(self.name) has no parameter '\(name)'")
        }
        return ModelConfig(try build(ModelParameters(family: self, values: values, task: task, seed: seed)))
    }

    /// Every family, in the order the docs list them. Adding a family: its descriptor file
    /// (an extension defining `static let`), its implementation, and its name here.
    public static let all: [ModelFamily] = [
        .logisticRegression, .linearRegression, .ridge, .lasso, .kNeighbors, .gaussianNB,
        .decisionTree, .randomForest, .histGradientBoosting,
    ]

    public static func named(_ name: String) -> ModelFamily? { all.first { $0.name == name } }

    public static var names: [String] { all.map(\.name) }
}

/// A family's hyperparameters for one candidate: the spec's values, defaults for the rest.
public struct ModelParameters: Sendable {
    let family: ModelFamily
    let values: [String: ParamValue]
    public let task: LearningTask
    public let seed: UInt64

    /// The value given in the spec, else the family's default for the task.
    public func value(_ name: String) -> ParamValue {
        if let value = values[name] { return value }
        guard let spec = family.param(named: name) else { preconditionFailure("\(family.name) declares no parameter '\(name)'") }
        return spec.defaultValue(for: task)
    }

    public func number(_ name: String) -> Double { value(name).number ?? .nan }

    /// An integer parameter, read without a round trip through Double (which would trap
    /// for values near Int.max).
    public func integer(_ name: String) -> Int {
        switch value(name) {
        case .int(let value): return value
        case .double(let value) where value.isFinite && abs(value) < 9e18: return Int(value)
        default: return 0
        }
    }

    /// nil when the parameter is null (scikit-learn's "no limit").
    public func optionalInteger(_ name: String) -> Int? { value(name) == .null ? nil : integer(name) }

    public func flag(_ name: String) -> Bool {
        if case .bool(let flag) = value(name) { return flag }
        return false
    }

    public func text(_ name: String) -> String? {
        if case .string(let text) = value(name) { return text }
        return nil
    }
}

/// Run-time settings of a fit that never change its result (models are bit-identical for
/// any thread count), so they are not part of a model's configuration or any cache key.
public struct FitContext: Sendable {
    public var threads: Int

    public init(threads: Int = 1) { self.threads = max(1, threads) }
}

/// What preprocessing tells a model about the matrix's columns.
public struct ColumnKinds: Sendable {
    /// Per column: its number of categories when it holds category codes (0..<count, from an
    /// ordinal step), else 0.
    public var categoryCounts: [Int]
    /// Per column, for messages.
    public var names: [String]
}

/// One family's configuration (its hyperparameters): plain data that fits into a model.
public protocol ModelSettings: Sendable, Codable, Equatable {
    static var family: ModelFamily { get }
    func fit(_ x: Matrix, _ target: Target, context: FitContext) throws(LearnError) -> FittedModel
    /// The same, for models that treat columns of category codes on their own (the others
    /// take them as numbers).
    func fit(_ x: Matrix, _ target: Target, columns: ColumnKinds, context: FitContext) throws(LearnError) -> FittedModel
}

extension ModelSettings {
    public func fit(_ x: Matrix, _ target: Target, columns: ColumnKinds, context: FitContext) throws(LearnError) -> FittedModel {
        try fit(x, target, context: context)
    }

    func isEqual(to other: any ModelSettings) -> Bool { (other as? Self) == self }
}
