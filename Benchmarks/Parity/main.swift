// Parity harness: runs the linear family (logistic regression / ridge) on every dataset of
// ../shared/bench/sklearn_baseline.json with that script's protocol, and prints one JSON line
// per dataset (CV mean of the best candidate, test metrics, search wall time).
// Usage: parity DATA_DIR BASELINE_JSON [THREADS] [FAMILIES] [NAME:TARGET:TASK,...]
// With the last argument, only those datasets (outside the baseline too: numeric columns are
// numeric, text columns categorical), with the same protocol.
import Dispatch
import Foundation
import Learn
import Tabular

struct Failure: Error, CustomStringConvertible {
    var description: String
}

func run() throws {
    let arguments = CommandLine.arguments
    guard arguments.count >= 3 else { throw Failure(description: "usage: parity DATA_DIR BASELINE_JSON [THREADS]") }
    let dataFolder = arguments[1]
    let threads = arguments.count > 3 ? Int(arguments[3]) ?? 2 : 2
    let families = arguments.count > 4 ? arguments[4].split(separator: ",").map(String.init) : ["linear"]
    let baselineData = try Data(contentsOf: URL(fileURLWithPath: arguments[2]))
    guard let baseline = (try JSONSerialization.jsonObject(with: baselineData) as? [String: Any])?["baseline"] as? [String: [String: Any]] else {
        throw Failure(description: "no 'baseline' section in \(arguments[2])")
    }
    var datasets: [(name: String, target: String, task: String, numeric: [String]?, categorical: [String]?)] = baseline.keys.sorted().map { name in
        let entry = baseline[name]!
        return (name, entry["target"] as! String, entry["task"] as! String, entry["numeric_columns"] as? [String], entry["categorical_columns"] as? [String])
    }
    if arguments.count > 5 {
        datasets = arguments[5].split(separator: ",").map { item in
            let parts = item.split(separator: ":").map(String.init)
            return (parts[0], parts[1], parts.count > 2 ? parts[2] : "classification", nil, nil)
        }
    }
    for dataset in datasets {
        let name = dataset.name, targetName = dataset.target
        let task: LearningTask = dataset.task == "regression" ? .regression : .classification
        let table = try CSVReader.read(path: "\(dataFolder)/\(name).csv", options: ReadOptions(naValues: [""]))
        let inputs = table.columnNames.filter { $0 != targetName }
        let numeric = dataset.numeric ?? inputs.filter { table[$0]!.numericValues != nil }
        let categorical = dataset.categorical ?? inputs.filter { table[$0]!.numericValues == nil }
        let target = try Target.encode(table[targetName]!, task: task)
        let features = table.dropping(columns: [targetName])

        for family in families {
        let start = DispatchTime.now().uptimeNanoseconds
        let split = try DataSplit.trainTest(target, testSize: .fraction(0.2), stratify: task == .classification, shuffle: true, seed: 42)
        var steps: [PreprocessingConfig] = []
        if !numeric.isEmpty { steps.append(.impute(columns: .names(numeric), strategy: .mean, fillValue: nil)) }
        if !categorical.isEmpty {
            steps.append(.impute(columns: .names(categorical), strategy: .mostFrequent, fillValue: nil))
            steps.append(.oneHot(columns: .names(categorical), ignoreUnknown: true, drop: .none))
        }
        if !numeric.isEmpty { steps.append(.scale(columns: .names(numeric), method: .standard)) }
        let candidates = familyCandidates(family, task: task, steps: steps)
        let scoring: Metric = task == .classification ? .accuracy : .r2
        let trainFeatures = features.taking(rows: split.train), trainTarget = target.taking(rows: split.train)
        let result = try ModelSearch.run(
            features: trainFeatures, target: trainTarget, candidates: candidates,
            settings: SearchSettings(folds: 5, stratified: task == .classification, shuffle: true, seed: 42, scoring: scoring, threads: threads))
        let best = candidates[result.bestIndex]
        let fitted = try best.pipeline.fit(trainFeatures, trainTarget)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let prediction = try fitted.predict(features.taking(rows: split.test))
        let testTarget = target.taking(rows: split.test)
        let testMetrics: [Metric] = task == .classification ? [.accuracy, .f1Macro, .precisionMacro, .recallMacro] : [.rmse, .mae, .r2]
        var test: [String: Double] = [:]
        for metric in testMetrics { test[metric.rawValue] = try Scoring.score(metric, truth: testTarget, prediction: prediction) }
        var iterations = 0
        if case .linear(let linear) = fitted.model { iterations = linear.iterations }
        let report: [String: Any] = [
            "n_iter": iterations,
            "dataset": name, "family": candidates[0].model,
            "rows": table.rowCount, "cv_scoring": scoring.rawValue, "best_params": best.params,
            "best_cv_score": result.best.scores[scoring]!.mean, "best_cv_std": result.best.scores[scoring]!.std,
            "candidates": result.candidates.map { ["params": $0.params, "mean": $0.scores[scoring]!.mean] },
            "test": test, "search_wall_s": wall, "threads": threads,
        ]
        let line = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: line, as: UTF8.self))
        }
    }
}

/// The reference grids of sklearn_baseline.py's `model_grid`.
func familyCandidates(_ family: String, task: LearningTask, steps: [PreprocessingConfig]) -> [SearchCandidate] {
    let classification = task == .classification
    switch family {
    case "random_forest":
        return [nil, 10].map { (depth: Int?) in
            let settings = TreeSettings(criterion: classification ? .gini : .squaredError, maxDepth: depth, maxFeatures: classification ? .sqrt : .all)
            return SearchCandidate(model: "random_forest", params: ["max_depth": depth.map(String.init) ?? "null"],
                                   pipeline: PipelineConfig(steps: steps, model: ModelConfig(RandomForestConfig(trees: 100, settings: settings, seed: 42))))
        }
    case "hist_gradient_boosting":
        return [0.05, 0.1].map { rate in
            SearchCandidate(model: "hist_gradient_boosting", params: ["learning_rate": "\(rate)"],
                            pipeline: PipelineConfig(steps: steps, model: ModelConfig(HistGradientBoostingConfig(learningRate: rate, maxIterations: 200, earlyStopping: .off, seed: 42))))
        }
    default:
        return [0.1, 1.0, 10.0].map { value in
            let model: ModelConfig = classification
                ? ModelConfig(LogisticRegressionConfig(c: value, maxIterations: 1000))
                : ModelConfig(RidgeConfig(alpha: value))
            return SearchCandidate(model: classification ? "logistic_regression" : "ridge",
                                   params: [classification ? "C" : "alpha": "\(value)"],
                                   pipeline: PipelineConfig(steps: steps, model: model))
        }
    }
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("parity: \(error)\n".utf8))
    exit(1)
}
