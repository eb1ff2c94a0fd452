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
    public func searchPlan(task: LearningTask, columns: [(name: String, kind: ColumnKind)], threads: Int = 1) throws(LearnError) -> SearchPlan {
        func selection(_ selector: ColumnSelectorSpec) -> ColumnSelection {
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
                guard let family = ModelFamily.named(model.type.value) else { throw LearnError.settings("unknown model type '\(model.type.value)'") }
                let config = try family.configuration(params, task: task, seed: seed)
                var shown: [String: String] = [:]
                for (name, value) in combination { shown[name] = value.description }
                candidates.append(SearchCandidate(model: model.name.value, params: shown, pipeline: PipelineConfig(steps: steps, model: config)))
            }
        }
        let metricList = metrics.isEmpty ? Metric.defaults(for: task) : metrics.map(\.value)
        let scoring = search.scoring?.value ?? Metric.defaultScoring(for: task)
        let testSize = split.dataSplitTestSize
        return SearchPlan(
            steps: steps, candidates: candidates,
            settings: SearchSettings(
                folds: search.cv, stratified: search.stratified ?? (task == .classification), shuffle: search.shuffle,
                seed: seed, scoring: scoring, metrics: metricList, threads: threads),
            testSize: testSize, stratifySplit: split.stratify ?? (task == .classification), shuffleSplit: split.shuffle,
            rowFilters: rowFilters, metrics: metricList)
    }
}
