import Foundation

/// What a drift check found: per input column, for the predictions and (with labels) the
/// target and the model's metrics; the worst status decides the exit code.
public struct DriftReport: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, Comparable {
        case ok, warning, alert

        /// `runner monitor`'s exit code: 0 healthy, 1 warning, 2 alert.
        public var exitCode: Int32 {
            switch self {
            case .ok: return 0
            case .warning: return 1
            case .alert: return 2
            }
        }

        /// The value of the `runner_drift_status` gauge.
        public var level: Int { Int(exitCode) }

        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.level < rhs.level }
    }

    /// The experiment the bundle came from (the `model` label of every metric).
    public var model: String
    /// SHA-256 of the bundle file, when known.
    public var bundleDigest: String?
    /// Rows checked.
    public var rows: Int
    public var columns: [ColumnDrift]
    public var prediction: ColumnDrift?
    public var target: ColumnDrift?
    public var performance: [MetricChange]
    /// The share of input columns that drifted, and whether that makes the dataset drift.
    public var driftedShare: Double
    public var datasetDrift: Bool
    public var status: Status
    /// Things worth saying that are not one column's (rows skipped, a missing input).
    public var notes: [String]

    /// Input columns that drifted, the most moved first (by how far past its threshold).
    public var driftedColumns: [ColumnDrift] {
        columns.filter(\.drift).sorted { $0.severity > $1.severity }
    }
}

/// One column compared with its training profile.
public struct ColumnDrift: Codable, Sendable, Equatable {
    public var name: String
    /// The test that decides drift: `ks`, `wasserstein` (normalized by the training standard
    /// deviation), `psi`, `chi_square` or `jensen_shannon`.
    public var test: String
    /// The test's statistic (KS D, normalized Wasserstein, PSI, chi-square, JS distance).
    public var statistic: Double
    /// For `ks` and `chi_square`; drift when under `threshold`.
    public var pValue: Double?
    /// The p-value limit (after any Bonferroni correction) or the distance limit.
    public var threshold: Double
    public var drift: Bool
    /// The population stability index over the training bins or categories (also reported
    /// when another test decides; past its threshold it warns).
    public var psi: Double?
    public var rows: Int
    public var missingShare: Double
    public var referenceMissingShare: Double
    /// Numeric: the share of values outside the training range.
    public var outOfRangeShare: Double?
    /// Categorical: the share of values in categories training never saw, and a few of them.
    public var unseenShare: Double?
    public var unseenValues: [String]
    /// Values of the wrong type (text in a numeric column).
    public var typeErrors: Int
    /// What moved, in words: "mean 29.9 → 45.2, std 14.4 → 14.5" or "'male' 64.2% → 31.0%".
    public var change: String
    public var status: DriftReport.Status
    public var reasons: [String]

    /// How far past its threshold the statistic is (for ordering; >1 is drift).
    var severity: Double {
        if let pValue { return pValue > 0 ? threshold / pValue : .infinity }
        return threshold > 0 ? statistic / threshold : statistic
    }
}

/// A metric on labelled new data against the test split's.
public struct MetricChange: Codable, Sendable, Equatable {
    public var metric: String
    /// The test split's value when the model was made (nil when the bundle does not have it).
    public var reference: Double?
    public var current: Double
    /// How much worse, as a share of the reference (negative: better).
    public var worseBy: Double?
    public var status: DriftReport.Status
}
