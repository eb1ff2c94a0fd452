/// The spec's `monitor:` section: how `runner monitor` and the server test a deployed model's
/// inputs for drift, and when they warn or alert. Everything is optional; what is left out
/// keeps Evidently's and NannyML's defaults (docs/monitoring.md). The engine writes the
/// resulting settings into the bundle's profile, so the bundle carries them wherever it goes.
public struct MonitorSpec: Sendable, Equatable {
    public enum NumericTest: String, Sendable, CaseIterable {
        case auto, ks, wasserstein, psi
    }

    public enum CategoricalTest: String, Sendable, CaseIterable {
        case auto
        case chiSquare = "chi_square"
        case jensenShannon = "jensen_shannon"
        case psi
    }

    /// The thresholds a spec may set, by their spec names.
    public enum Threshold: String, Sendable, CaseIterable {
        case wasserstein
        case jensenShannon = "jensen_shannon"
        case psi
        case missingIncrease = "missing_increase"
        case outOfRange = "out_of_range"
        case unseenCategories = "unseen_categories"
        case datasetDriftShare = "dataset_drift_share"
        case performanceWarning = "performance_warning"
        case performanceAlert = "performance_alert"
    }

    public var numericTest: NumericTest?
    public var categoricalTest: CategoricalTest?
    /// A test for one column: a numeric or a categorical test's name, as the column needs.
    public struct ColumnTest: Sendable, Equatable {
        public var column: Located<String>
        public var test: Located<String>
    }

    public var columns: [ColumnTest] = []
    public var pValue: Double?
    /// false: compare every p-value with p_value itself instead of dividing it by the number
    /// of columns tested (Bonferroni).
    public var bonferroni: Bool?
    public var thresholds: [Threshold: Double] = [:]
    /// Reference rows up to which tests (KS, chi-square) are used instead of distances.
    public var referenceRowsForTests: Int?
    /// Rows of the server's sliding window per model.
    public var window: Int?

    public init() {}
}
