import Learn
import Tabular

/// What the spec asks the learning core to do, in the core's own terms: preprocessing steps,
/// every search candidate, and the search settings.
public struct SearchPlan: Sendable {
    public var steps: [PreprocessingConfig]
    public var candidates: [SearchCandidate]
    public var settings: SearchSettings
    /// Test split settings.
    public var testSize: DataSplit.TestSize
    public var stratifySplit: Bool
    public var shuffleSplit: Bool
    /// `drop_missing: {axis: rows}` steps: rows removed before splitting, since no model can
    /// drop rows at prediction time.
    public var rowFilters: [(columns: ColumnSelection, threshold: Double)]
    /// Metrics to report, in the spec's order.
    public var metrics: [Metric]
}

extension Experiment {
    /// Maps the spec onto the learning core. `columns` are the feature columns of the data
    /// (target and dropped columns removed) with their kinds: the spec's `numeric` and
    /// `categorical` selectors mean the data's own columns of that kind, never columns an
    /// encoder made.
    public func searchPlan(task: Task, columns: [(name: String, kind: ColumnKind)], threads: Int) throws(LearnError) -> SearchPlan {
        func selection(_ selector: ColumnSelector) -> ColumnSelection {
            switch selector {
            case .numeric: return .available(columns.filter { $0.kind != .categorical }.map(\.name))
            case .categorical: return .available(columns.filter { $0.kind == .categorical }.map(\.name))
            case .all: return .available(columns.map(\.name))
            case .names(let names): return .names(names.map(\.value))
            }
        }
        var steps: [PreprocessingConfig] = []
        var rowFilters: [(columns: ColumnSelection, threshold: Double)] = []
        for step in preprocess {
            switch step.value {
            case .impute(let selector, let strategy, let fill):
                var fillValue: FillValue?
                switch fill {
                case .int(let value)?: fillValue = .number(Double(value))
                case .double(let value)?: fillValue = .number(value)
                case .string(let text)?: fillValue = .text(text)
                default: fillValue = nil
                }
                steps.append(.impute(columns: selection(selector), strategy: strategy, fillValue: fillValue))
            case .dropMissing(let axis, let selector, let threshold):
                if axis == .rows {
                    rowFilters.append((selection(selector), threshold))
                } else {
                    steps.append(.dropColumnsWithMissing(columns: selection(selector), threshold: threshold))
                }
            case .oneHot(let selector, let rule, let drop):
                steps.append(.oneHot(columns: selection(selector), ignoreUnknown: rule == .ignore, drop: drop))
            case .ordinal(let selector, let categories, let rule, let unknownValue):
                steps.append(.ordinal(columns: selection(selector), categories: categories, unknownValue: rule == .useEncodedValue ? unknownValue : nil))
            case .scale(let selector, let method):
                steps.append(.scale(columns: selection(selector), method: method))
            }
        }
        var candidates: [SearchCandidate] = []
        for model in models {
            let grid = ParameterGrid(model.grid.map { (name: $0.name.value, values: $0.values.map(\.value)) })
            let combinations: [[(name: String, value: ParamValue)]]
            switch search.strategy {
            case .grid:
                combinations = grid.all
            case .random(let count):
                var generator = SeededGenerator(seed: seed, stream: "random search \(model.name.value)")
                combinations = grid.sample(count, using: &generator)
            }
            for combination in combinations {
                var params = model.params.mapValues(\.value)
                for (name, value) in combination { params[name] = value }
                let config = try ModelFactory.make(type: model.type.value, params: params, task: task, seed: seed)
                var shown: [String: String] = [:]
                for (name, value) in combination { shown[name] = value.description }
                candidates.append(SearchCandidate(model: model.name.value, params: shown, pipeline: PipelineConfig(steps: steps, model: config)))
            }
        }
        let metricList = metrics.isEmpty ? Metric.defaults(for: task) : metrics.map(\.value)
        let scoring = search.scoring?.value ?? Metric.defaultScoring(for: task)
        let testSize: DataSplit.TestSize
        switch split.testSize {
        case .fraction(let fraction): testSize = .fraction(fraction)
        case .rows(let rows): testSize = .rows(rows)
        }
        return SearchPlan(
            steps: steps, candidates: candidates,
            settings: SearchSettings(
                folds: search.cv, stratified: search.stratified ?? (task == .classification), shuffle: search.shuffle,
                seed: seed, scoring: scoring, metrics: metricList, threads: threads),
            testSize: testSize, stratifySplit: split.stratify ?? (task == .classification), shuffleSplit: split.shuffle,
            rowFilters: rowFilters, metrics: metricList)
    }
}

/// Builds the learning core's model configuration from a spec's type name and parameters
/// (already validated against `ModelCatalog`), filling in scikit-learn's defaults.
public enum ModelFactory {
    public static func make(type: String, params: [String: ParamValue], task: Task, seed: UInt64) throws(LearnError) -> ModelConfig {
        guard let spec = ModelCatalog.type(named: type) else { throw LearnError("unknown model type '\(type)'") }
        func value(_ name: String) -> ParamValue { params[name] ?? spec.param(named: name)!.defaultValue(for: task) }
        func number(_ name: String) -> Double { value(name).number ?? 0 }
        func integer(_ name: String) -> Int { Int(number(name)) }
        func flag(_ name: String) -> Bool { if case .bool(let flag) = value(name) { return flag } else { return false } }
        func text(_ name: String) -> String? { if case .string(let text) = value(name) { return text } else { return nil } }
        switch type {
        case "logistic_regression":
            return .logisticRegression(LogisticRegressionConfig(
                c: number("C"), penalized: value("penalty") != .null, fitIntercept: flag("fit_intercept"),
                maxIterations: integer("max_iter"), tolerance: number("tol"), balanced: text("class_weight") == "balanced"))
        case "linear_regression":
            return .linearRegression(LinearRegressionConfig(fitIntercept: flag("fit_intercept")))
        case "ridge":
            return .ridge(RidgeConfig(alpha: number("alpha"), fitIntercept: flag("fit_intercept")))
        case "lasso":
            return .lasso(LassoConfig(
                alpha: number("alpha"), fitIntercept: flag("fit_intercept"), maxIterations: integer("max_iter"),
                tolerance: number("tol"), randomSelection: text("selection") == "random", seed: seed))
        case "k_neighbors":
            return .kNeighbors(KNeighborsConfig(neighbors: integer("n_neighbors"), distanceWeighted: text("weights") == "distance", power: number("p")))
        case "gaussian_nb":
            return .gaussianNB(GaussianNBConfig(varSmoothing: number("var_smoothing")))
        case "decision_tree", "random_forest":
            let settings = TreeSettings(
                criterion: TreeSettings.Criterion(rawValue: text("criterion") == "log_loss" ? "entropy" : text("criterion") ?? "gini") ?? .gini,
                maxDepth: value("max_depth") == .null ? nil : integer("max_depth"),
                minSamplesSplit: integer("min_samples_split"), minSamplesLeaf: integer("min_samples_leaf"),
                maxFeatures: share(value("max_features")) ?? .all, balanced: text("class_weight") == "balanced")
            if type == "decision_tree" { return .decisionTree(DecisionTreeConfig(settings: settings, seed: seed)) }
            return .randomForest(RandomForestConfig(
                trees: integer("n_estimators"), settings: settings, bootstrap: flag("bootstrap"),
                maxSamples: share(value("max_samples")), seed: seed))
        case "hist_gradient_boosting":
            let stopping: HistGradientBoostingConfig.EarlyStopping
            switch value("early_stopping") {
            case .bool(true): stopping = .on
            case .bool(false): stopping = .off
            default: stopping = .auto
            }
            return .histGradientBoosting(HistGradientBoostingConfig(
                learningRate: number("learning_rate"), maxIterations: integer("max_iter"),
                maxLeafNodes: value("max_leaf_nodes") == .null ? nil : integer("max_leaf_nodes"),
                maxDepth: value("max_depth") == .null ? nil : integer("max_depth"),
                minSamplesLeaf: integer("min_samples_leaf"), l2Regularization: number("l2_regularization"),
                maxBins: integer("max_bins"), earlyStopping: stopping, validationFraction: number("validation_fraction"),
                iterationsWithoutChange: integer("n_iter_no_change"), tolerance: number("tol"), seed: seed))
        default:
            throw LearnError("unknown model type '\(type)'")
        }
    }

    /// scikit-learn's max_features / max_samples forms: "sqrt", "log2", a count, a fraction, or null.
    private static func share(_ value: ParamValue) -> TreeSettings.MaxFeatures? {
        switch value {
        case .string("sqrt"): return .sqrt
        case .string("log2"): return .log2
        case .int(let count): return .count(count)
        case .double(let fraction): return .fraction(fraction)
        default: return nil
        }
    }
}
