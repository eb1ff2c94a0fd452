import DatabaseSources
import Learn
import Tabular

/// A value with the place in the spec it came from, for messages about it later.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation?

    public init(_ value: Value, at location: SourceLocation?) {
        self.value = value
        self.location = location
    }
}

extension Located: Equatable where Value: Equatable {}

/// A decoded, structurally valid experiment spec (version 1).
public struct Experiment: Sendable {
    public var version: Int
    public var name: String
    /// Every random choice derives from this seed.
    public var seed: UInt64
    public var data: DataSpec
    public var split: SplitSpec
    public var preprocess: [Located<PreprocessStep>]
    public var models: [ModelSpec]
    public var search: SearchSpec
    /// Reported for every candidate; empty means the task's defaults.
    public var metrics: [Located<Metric>]
    /// How the winning model is packaged.
    public var package: PackageSpec = PackageSpec()
    /// Where the packaged model is stood up (`runner deploy`).
    public var deploy: [DeployTarget] = []
    /// How the deployed model is checked for drift (`runner monitor`, the server's gauges).
    public var monitor: MonitorSpec = MonitorSpec()
    /// What the model must pass before it is packaged (`runner test`).
    public var tests: [ModelTestSpec] = []
    /// The remote store runs share stages through (`--remote` and RUNNER_REMOTE override it).
    public var remote: Located<String>?
}

/// The spec's `package:` section: which files the winner is packaged as, and how they are
/// protected. Keys themselves never appear in the spec.
public struct PackageSpec: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        /// A runner bundle (docs/bundle-format.md).
        case bundle
        /// The whole pipeline as one ONNX graph (double precision; see docs/bundle-format.md).
        case onnx
    }

    public enum KeySource: Sendable, Equatable {
        /// The name of an environment variable holding the key.
        case environment(String)
        /// A key file, resolved against the spec's folder.
        case file(String)
    }

    public var formats: [Format] = [.bundle]
    /// AES-256-GCM key for the bundle, when it is encrypted.
    public var encryptionKey: KeySource?
    /// Ed25519 private key (PEM) that signs the bundle.
    public var signingKeyFile: String?

    public init() {}
}

public struct DataSpec: Sendable {
    /// The path as written in the spec.
    public var source: Located<String>
    /// The path resolved against the spec's folder.
    public var resolvedPath: String
    public var format: DataFormat?
    public var delimiter: UInt8?
    public var naValues: [String]?
    public var target: Located<String>
    /// nil: inferred from the target column (see `TaskInference`).
    public var task: LearningTask?
    public var drop: [Located<String>]
    public var types: [(column: Located<String>, kind: ColumnKind)]
    /// `source: {sqlite: FILE | postgres: {...}, query: ..., params: [...]}`: the rows of a
    /// query on a database (for SQLite `source` names the database file; for PostgreSQL the
    /// server as the spec names it, never with a password).
    public var database: DatabaseQuery?

    public struct DatabaseQuery: Sendable {
        public enum Engine: Sendable {
            case sqlite
            /// The source itself, made once per spec so every read in a run shares its snapshot.
            case postgres(PostgresSource)
        }
        public var engine: Engine
        public var query: String
        public var parameters: [QueryParameter]
        /// Where the query is written, for errors the database reports about it.
        public var location: SourceLocation?
    }

    /// How the table reader should read this source.
    public var readOptions: ReadOptions {
        var options = ReadOptions(format: format, delimiter: delimiter)
        if let naValues { options.naValues = naValues }
        for entry in types { options.columnKinds[entry.column.value] = entry.kind }
        return options
    }

    /// The source the spec names: a CSV/JSON Lines file or a database query.
    public var dataSource: any DataSource {
        switch database?.engine {
        case .sqlite?: return SQLiteSource(path: resolvedPath, query: database!.query, parameters: database!.parameters)
        case .postgres(let source)?: return source
        case nil: return fileSource
        }
    }

    /// The data file, read as the spec says (for a database source, its file only).
    public var fileSource: FileSource {
        var options = readOptions
        options.columnKinds = [:]
        return FileSource(path: resolvedPath, options: options)
    }

    /// The file format for the load stage's key; nil for a database source (its rows' digest says it all).
    public var fileFormat: DataFormat? { database == nil ? fileSource.format : nil }

    /// Another file of the same kind of rows (a test's labelled data, golden examples): read
    /// with the spec's missing-value tokens, and its delimiter when the file has the same
    /// format as the data; otherwise as its extension says.
    public func companionSource(path: String) -> FileSource {
        let own = format ?? DataFormat.inferred(fromPath: resolvedPath)
        let theirs = DataFormat.inferred(fromPath: path)
        var options = ReadOptions(format: theirs, delimiter: own == theirs ? delimiter : nil)
        if let naValues { options.naValues = naValues }
        return FileSource(path: path, options: options)
    }

    /// The column types the spec sets, for reading companion files the same way.
    public var columnKinds: [String: ColumnKind] { readOptions.columnKinds }
}

public struct SplitSpec: Sendable, Equatable {
    public enum TestSize: Sendable, Equatable {
        case fraction(Double)
        case rows(Int)
    }

    public var testSize: TestSize = .fraction(0.2)
    /// nil: stratify for classification, not for regression.
    public var stratify: Bool?
    public var shuffle: Bool = true
    /// Where the spec sets these, for checks that need the data.
    public var testSizeLocation: SourceLocation?
    public var stratifyLocation: SourceLocation?

    /// The split's own test size (SearchPlan hands this to `DataSplit`).
    public var dataSplitTestSize: DataSplit.TestSize {
        switch testSize {
        case .fraction(let fraction): return .fraction(fraction)
        case .rows(let rows): return .rows(rows)
        }
    }

    /// Rows the split holds out for testing from `rows`, by the split's own rule.
    public func testRows(outOf rows: Int) -> Int { dataSplitTestSize.rows(outOf: rows) }

    public var testSizeText: String {
        switch testSize {
        case .fraction(let fraction): return "\(fraction)"
        case .rows(let count): return "\(count) rows"
        }
    }
}

/// Which columns a preprocessing step applies to.
public enum ColumnSelectorSpec: Sendable, Equatable {
    case numeric
    case categorical
    case all
    case names([Located<String>])

    /// Whether the spec lists the columns by name (rather than by kind).
    public var isExplicit: Bool {
        if case .names = self { return true }
        return false
    }
}

public enum UnknownCategoryRule: String, Sendable, CaseIterable {
    /// Fail on a category not seen in training.
    case error
    /// One-hot: all zeros for an unseen category.
    case ignore
    /// Ordinal: encode an unseen category as `unknown_value`.
    case useEncodedValue = "use_encoded_value"
}

public enum PreprocessStep: Sendable {
    case impute(columns: ColumnSelectorSpec, strategy: ImputeStrategy, fillValue: ParamValue?)
    /// Drops rows (or columns) whose share of missing values exceeds `threshold` (0: any missing).
    case dropMissing(axis: DropAxis, columns: ColumnSelectorSpec, threshold: Double)
    case oneHot(columns: ColumnSelectorSpec, handleUnknown: UnknownCategoryRule, drop: OneHotDrop)
    /// `categories` fixes the order per column; other columns are ordered by sorted value.
    case ordinal(columns: ColumnSelectorSpec, categories: [String: [String]], handleUnknown: UnknownCategoryRule, unknownValue: Double)
    case scale(columns: ColumnSelectorSpec, method: ScaleMethod)

    public enum DropAxis: String, Sendable, CaseIterable { case rows, columns }
    public typealias OneHotDrop = Learn.OneHotDrop

    public var columns: ColumnSelectorSpec {
        switch self {
        case .impute(let columns, _, _), .dropMissing(_, let columns, _), .oneHot(let columns, _, _),
             .ordinal(let columns, _, _, _), .scale(let columns, _):
            return columns
        }
    }

    public var kind: PreprocessingKind {
        switch self {
        case .impute: return .impute
        case .dropMissing: return .dropMissing
        case .oneHot: return .oneHot
        case .ordinal: return .ordinal
        case .scale: return .scale
        }
    }

    public var kindName: String { kind.name }
}

/// One model family to try, with fixed parameters and a grid of values to search.
public struct ModelSpec: Sendable {
    public var name: Located<String>
    public var type: Located<String>
    public var params: [String: Located<ParamValue>]
    /// Sorted by parameter name, as scikit-learn's ParameterGrid enumerates them.
    public var grid: [(name: Located<String>, values: [Located<ParamValue>])]

    /// Number of parameter combinations in the grid.
    public var gridSize: Int { grid.reduce(1) { $0 * $1.values.count } }
}

public struct SearchSpec: Sendable, Equatable {
    public enum Strategy: Sendable, Equatable {
        case grid
        /// Sample this many candidates from the grid, without replacement.
        case random(Int)
    }

    public var cv: Int = 5
    /// nil: stratified for classification.
    public var stratified: Bool?
    public var shuffle: Bool = true
    /// nil: accuracy for classification, r2 for regression.
    public var scoring: Located<Metric>?
    public var strategy: Strategy = .grid
    /// Where the spec sets these, for checks that need the data.
    public var cvLocation: SourceLocation?
    public var stratifiedLocation: SourceLocation?
}
