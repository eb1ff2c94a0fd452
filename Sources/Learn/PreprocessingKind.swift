/// The preprocessing steps a spec may name, with what each one's options are. The one
/// place step names are written: the spec decoder, the fitted state, bundle manifests and
/// messages all take them from here.
public enum PreprocessingKind: String, Sendable, Codable, CaseIterable {
    case impute
    case dropMissing = "drop_missing"
    case oneHot = "one_hot"
    case ordinal
    case scale

    /// The spec's name for the step.
    public var name: String { rawValue }

    /// The options the step takes in the spec, in the order the docs list them.
    public var options: [String] {
        switch self {
        case .impute: return ["columns", "strategy", "fill_value"]
        case .dropMissing: return ["axis", "columns", "threshold"]
        case .oneHot: return ["columns", "handle_unknown", "drop"]
        case .ordinal: return ["columns", "categories", "handle_unknown", "unknown_value"]
        case .scale: return ["columns", "method"]
        }
    }

    /// scikit-learn's transformer, for the docs and messages.
    public var sklearnName: String {
        switch self {
        case .impute: return "SimpleImputer"
        case .dropMissing: return "(pandas dropna)"
        case .oneHot: return "OneHotEncoder"
        case .ordinal: return "OrdinalEncoder"
        case .scale: return "StandardScaler / MinMaxScaler / RobustScaler"
        }
    }

    public static var names: [String] { allCases.map(\.name) }
}
