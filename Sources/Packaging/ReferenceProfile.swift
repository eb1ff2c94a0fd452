import Learn
import Tabular

/// `profile.json` (bundle format 2): what the training data looked like, so a deployed model
/// can be checked for drift without the data it was trained on. One summary per input
/// column, one of the model's predictions on the training rows and one of the target; and
/// the drift settings the experiment chose (`monitor:` in the spec). Plain data.
public struct ReferenceProfile: Codable, Sendable, Equatable {
    /// Training rows the profile summarizes.
    public var rows: Int
    /// The input columns, in the schema's order.
    public var columns: [ColumnProfile]
    public var prediction: ColumnProfile
    public var target: ColumnProfile
    public var settings: DriftSettings

    public init(rows: Int, columns: [ColumnProfile], prediction: ColumnProfile, target: ColumnProfile, settings: DriftSettings) {
        self.rows = rows
        self.columns = columns
        self.prediction = prediction
        self.target = target
        self.settings = settings
    }

    /// Counts past this are refused: no real training set is that large, and sums of them
    /// must not overflow.
    static let countLimit = 1 << 50

    /// The first structural problem of a decoded profile against the schema it goes with.
    public func structuralProblem(schema: InputSchema) -> String? {
        guard (0...Self.countLimit).contains(rows) else { return "profile.json: the row count is out of range" }
        guard columns.map(\.name) == schema.fields.map(\.name) else { return "profile.json does not describe the model's input columns" }
        for column in columns + [prediction, target] {
            if let problem = column.structuralProblem { return "profile.json: column '\(column.name)': \(problem)" }
        }
        return settings.structuralProblem.map { "profile.json: settings: \($0)" }
    }
}

/// One column of the training data: counts, and a numeric or categorical summary (or both:
/// a numeric column with few distinct values is also compared as categories).
public struct ColumnProfile: Codable, Sendable, Equatable {
    public var name: String
    /// Values present and missing in the training rows.
    public var count: Int
    public var missing: Int
    public var numeric: NumericSummary?
    public var categories: CategorySummary?

    public init(name: String, count: Int, missing: Int, numeric: NumericSummary?, categories: CategorySummary?) {
        self.name = name
        self.count = count
        self.missing = missing
        self.numeric = numeric
        self.categories = categories
    }

    var structuralProblem: String? {
        guard (0...ReferenceProfile.countLimit).contains(count), (0...ReferenceProfile.countLimit).contains(missing) else { return "counts out of range" }
        if let numeric, let problem = numeric.structuralProblem { return problem }
        if let categories, let problem = categories.structuralProblem { return problem }
        if numeric == nil && categories == nil && count > 0 { return "neither a numeric nor a categorical summary" }
        return nil
    }
}

public struct NumericSummary: Codable, Sendable, Equatable {
    public var mean: Double
    /// Population standard deviation (divisor n), what normalized Wasserstein distances divide by.
    public var standardDeviation: Double
    public var minimum: Double
    public var maximum: Double
    /// Sorted values: every training value while there are at most `NumericSummary.pointLimit`,
    /// else that many equal-mass quantiles (`exact` false). Kolmogorov-Smirnov and Wasserstein
    /// compare against these.
    public var points: [Double]
    public var exact: Bool
    /// Interior bin edges (the training deciles, without repeats) and the training rows per
    /// bin (one more than the edges; a value equal to an edge goes to the lower bin): PSI.
    public var edges: [Double]
    public var binCounts: [Int]

    public static let pointLimit = 1000

    public init(mean: Double, standardDeviation: Double, minimum: Double, maximum: Double, points: [Double], exact: Bool, edges: [Double], binCounts: [Int]) {
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.minimum = minimum
        self.maximum = maximum
        self.points = points
        self.exact = exact
        self.edges = edges
        self.binCounts = binCounts
    }

    var structuralProblem: String? {
        guard ([mean, standardDeviation, minimum, maximum] + points + edges).allSatisfy(\.isFinite) else { return "a value that is not a finite number" }
        guard !points.isEmpty, points.count <= Self.pointLimit, zip(points, points.dropFirst()).allSatisfy({ $0 <= $1 }) else { return "points are empty, too many or unsorted" }
        guard zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }), binCounts.count == edges.count + 1,
              binCounts.allSatisfy({ (0...ReferenceProfile.countLimit).contains($0) }) else { return "bins do not match their edges" }
        return nil
    }
}

public struct CategorySummary: Codable, Sendable, Equatable {
    /// The most frequent categories (at most `CategorySummary.limit`), sorted by name, with
    /// their training counts.
    public var values: [String]
    public var counts: [Int]
    /// Training rows in categories past the limit.
    public var other: Int

    public static let limit = 1000

    public init(values: [String], counts: [Int], other: Int) {
        self.values = values
        self.counts = counts
        self.other = other
    }

    var structuralProblem: String? {
        guard values.count == counts.count, values.count <= Self.limit, Set(values).count == values.count else { return "categories and counts do not match" }
        guard counts.allSatisfy({ (0...ReferenceProfile.countLimit).contains($0) }), (0...ReferenceProfile.countLimit).contains(other) else { return "counts out of range" }
        return nil
    }
}

/// How drift is tested and when it warns or alerts; the spec's `monitor:` section, with
/// Evidently's and NannyML's defaults.
public struct DriftSettings: Codable, Sendable, Equatable {
    public enum Method: String, Codable, Sendable, CaseIterable {
        case auto
        case ks
        case wasserstein
        case psi
        case chiSquare = "chi_square"
        case jensenShannon = "jensen_shannon"

        public static let numeric: [Method] = [.auto, .ks, .wasserstein, .psi]
        public static let categorical: [Method] = [.auto, .chiSquare, .jensenShannon, .psi]
    }

    /// Tests (KS, chi-square) while the reference has at most this many rows, distances above.
    public var referenceRowsForTests = 1000
    public var numericMethod = Method.auto
    public var categoricalMethod = Method.auto
    /// Per-column choice, by column name.
    public var columnMethods: [String: Method] = [:]
    /// A test drifts when its p-value is under this (divided by the columns tested with
    /// `bonferroni`).
    public var pValue = 0.05
    public var bonferroni = true
    public var wasserstein = 0.1
    public var jensenShannon = 0.1
    public var psi = 0.1
    /// Warnings: the missing share grew by more than this (absolute).
    public var missingIncrease = 0.05
    /// Warnings: more than this share of values outside the training range, or in categories
    /// training never saw.
    public var outOfRange = 0.01
    public var unseenCategories = 0.01
    /// The dataset drifts when at least this share of its columns do.
    public var datasetDriftShare = 0.5
    /// Performance with labels: a metric worse than the test split's by more than these
    /// shares of it warns, alerts.
    public var performanceWarning = 0.05
    public var performanceAlert = 0.10
    /// Rows the server's sliding window keeps per model.
    public var window = 1000
    /// The largest window (a bundle must not be able to make a server hold unbounded rows).
    public static let windowLimit = 1_000_000

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case referenceRowsForTests, numericMethod, categoricalMethod, columnMethods, pValue, bonferroni, wasserstein, jensenShannon, psi
        case missingIncrease, outOfRange, unseenCategories, datasetDriftShare, performanceWarning, performanceAlert, window
    }

    /// A setting a bundle does not name keeps its default, so bundles stay readable when
    /// later runners add settings.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try container.decodeIfPresent(T.self, forKey: key) ?? fallback }
        referenceRowsForTests = try value(.referenceRowsForTests, referenceRowsForTests)
        numericMethod = try value(.numericMethod, numericMethod)
        categoricalMethod = try value(.categoricalMethod, categoricalMethod)
        columnMethods = try value(.columnMethods, columnMethods)
        pValue = try value(.pValue, pValue)
        bonferroni = try value(.bonferroni, bonferroni)
        wasserstein = try value(.wasserstein, wasserstein)
        jensenShannon = try value(.jensenShannon, jensenShannon)
        psi = try value(.psi, psi)
        missingIncrease = try value(.missingIncrease, missingIncrease)
        outOfRange = try value(.outOfRange, outOfRange)
        unseenCategories = try value(.unseenCategories, unseenCategories)
        datasetDriftShare = try value(.datasetDriftShare, datasetDriftShare)
        performanceWarning = try value(.performanceWarning, performanceWarning)
        performanceAlert = try value(.performanceAlert, performanceAlert)
        window = try value(.window, window)
    }

    var structuralProblem: String? {
        guard referenceRowsForTests >= 0, window >= 1, window <= Self.windowLimit else { return "the window must hold 1 to \(Self.windowLimit) rows" }
        let shares = [pValue, wasserstein, jensenShannon, psi, missingIncrease, outOfRange, unseenCategories, datasetDriftShare, performanceWarning, performanceAlert]
        guard shares.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return "thresholds must be non-negative numbers" }
        return nil
    }
}
