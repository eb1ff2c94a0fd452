/// A model's configuration: which family, with which hyperparameters. Encoded as
/// `{"type": family name, "settings": {...}}` so stored configurations decode by name.
public struct ModelConfig: Sendable, Equatable, Codable {
    public let settings: any ModelSettings

    public init(_ settings: any ModelSettings) { self.settings = settings }

    public var family: ModelFamily { type(of: settings).family }

    /// The spec's name for the model type.
    public var typeName: String { family.name }

    public var tasks: Set<LearningTask> { family.tasks }

    var acceptsMissingValues: Bool { family.handlesMissingValues }

    /// `categoryCounts`: per column of `x`, its number of categories when it holds category
    /// codes (0..<count, from an ordinal step), else 0; empty when none does. `featureNames`
    /// name columns in messages.
    public func fit(_ x: Matrix, _ target: Target, categoryCounts: [Int] = [], featureNames: [String] = [],
                    context: FitContext = FitContext()) throws(LearnError) -> FittedModel {
        guard tasks.contains(target.task) else {
            throw LearnError.settings("\(typeName) does not do \(target.task.rawValue)")
        }
        let columns = ColumnKinds(categoryCounts: categoryCounts.isEmpty ? [Int](repeating: 0, count: x.columns) : categoryCounts,
                                  names: featureNames.isEmpty ? (0..<x.columns).map { "feature \($0 + 1)" } : featureNames)
        return try settings.fit(x, target, columns: columns, context: context)
    }

    public static func == (a: ModelConfig, b: ModelConfig) -> Bool { a.settings.isEqual(to: b.settings) }

    private enum CodingKeys: String, CodingKey { case type, settings }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .type)
        guard let family = ModelFamily.named(name) else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown model type '\(name)'")
        }
        settings = try container.decode(family.settingsType, forKey: .settings)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(typeName, forKey: .type)
        try container.encode(settings, forKey: .settings)
    }
}

/// A fitted model's learned state, as plain data. A form may serve several families (every
/// linear family gives `.linear`); a new family adds a form only when none fits.
public enum FittedModel: Sendable, Equatable, Codable {
    case linear(LinearModel)
    case kNeighbors(KNeighborsModel)
    case gaussianNB(GaussianNBModel)
    case trees(TreeEnsemble)
    case boosting(BoostedTrees)

    /// `threads` splits the rows of large batches across threads (same results).
    public func predict(_ x: Matrix, threads: Int = 1) -> Prediction {
        switch self {
        case .linear(let model): return model.predict(x)
        case .kNeighbors(let model): return model.predict(x, threads: threads)
        case .gaussianNB(let model): return model.predict(x)
        case .trees(let model): return model.predict(x, threads: threads)
        case .boosting(let model): return model.predict(x, threads: threads)
        }
    }

    /// Feature importances, for models that have them (trees).
    public var featureImportances: [Double]? {
        switch self {
        case .trees(let model): return model.featureImportances
        case .boosting(let model): return model.featureImportances
        default: return nil
        }
    }
}
