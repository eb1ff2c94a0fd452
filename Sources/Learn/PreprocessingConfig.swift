import Tabular

/// Which columns a preprocessing step applies to, resolved against the table it is fitted on.
public enum ColumnSelection: Sendable, Equatable, Codable {
    /// Numeric and boolean columns.
    case numeric
    case categorical
    case all
    /// Exactly these columns; each must be present.
    case names([String])
    /// Those of these columns still present (earlier steps may have dropped or encoded some).
    case available([String])

    func resolve(in table: Table) throws(LearnError) -> [String] {
        switch self {
        case .available(let names): return names.filter { table.index(of: $0) != nil }
        case .numeric: return table.columns.filter { $0.kind != .categorical }.map(\.name)
        case .categorical: return table.columns.filter { $0.kind == .categorical }.map(\.name)
        case .all: return table.columnNames
        case .names(let names):
            for name in names where table.index(of: name) == nil {
                throw LearnError.data("column '\(name)' is not among the features at this step (it may have been dropped or encoded by an earlier step)")
            }
            return names
        }
    }
}

public enum ImputeStrategy: String, Sendable, Codable, CaseIterable {
    case mean, median
    case mostFrequent = "most_frequent"
    case constant
}

public enum ScaleMethod: String, Sendable, Codable, CaseIterable {
    case standard, minmax, robust
}

public enum OneHotDrop: String, Sendable, Codable, CaseIterable {
    case none
    case first
    case ifBinary = "if_binary"
}

/// A value written into missing cells: a number for numeric columns, text for categorical ones.
public enum FillValue: Sendable, Equatable, Codable {
    case number(Double)
    case text(String)
}

/// One preprocessing step's configuration, scikit-learn's semantics: `fit` learns on
/// training rows only, `transform` applies what was learned to any rows.
public enum PreprocessingConfig: Sendable, Equatable, Codable {
    /// `fillValue` is used with `.constant` (default 0, or "missing_value" for text).
    case impute(columns: ColumnSelection, strategy: ImputeStrategy, fillValue: FillValue?)
    /// Drops columns whose share of missing training values exceeds `threshold`.
    case dropColumnsWithMissing(columns: ColumnSelection, threshold: Double)
    /// `ignoreUnknown`: an unseen category encodes as all zeros instead of failing.
    case oneHot(columns: ColumnSelection, ignoreUnknown: Bool, drop: OneHotDrop)
    /// `categories` fixes the order per column (others: sorted). `unknownValue` nil: an unseen
    /// category is an error.
    case ordinal(columns: ColumnSelection, categories: [String: [String]], unknownValue: Double?)
    case scale(columns: ColumnSelection, method: ScaleMethod)
}
