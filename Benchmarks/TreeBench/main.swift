// Tree-model speed benchmark: 80/20 split (seed 42, stratified for classification), fit on
// the 80%, predict the 20%, as ../shared/bench/sklearn_baseline.py's speed section.
// Prints one JSON line: fit and predict seconds (best of REPEATS), test score, peak RSS.
// Usage: tree-bench MODEL FILE TARGET TASK [THREADS] [REPEATS]
//   MODEL: random_forest | hist_gradient_boosting | hist_gradient_boosting_native | decision_tree;
//   TASK: classification | regression. hist_gradient_boosting_native: categorical columns
//   ordinal-encoded (after the same imputation) and split natively, instead of one-hot.
import Dispatch
import Foundation
import Learn
import Tabular

func memoryKB(_ field: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty } ?? "") ?? 0
    }
    return 0
}

func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

func run() throws {
    let arguments = CommandLine.arguments
    guard arguments.count >= 5 else {
        throw LearnError.settings("usage: tree-bench MODEL FILE TARGET TASK [THREADS] [REPEATS]")
    }
    let modelName = arguments[1], path = arguments[2], targetName = arguments[3]
    let task: LearningTask = arguments[4] == "regression" ? .regression : .classification
    let threads = arguments.count > 5 ? Int(arguments[5]) ?? 2 : 2
    let repeats = arguments.count > 6 ? Int(arguments[6]) ?? 3 : 3
    let table = try CSVReader.read(path: path, options: ReadOptions(naValues: [""]))
    let target = try Target.encode(table[targetName]!, task: task)
    var features = table.dropping(columns: [targetName])
    let native = modelName == "hist_gradient_boosting_native"
    // Text columns: ../shared/bench/sklearn_baseline.py's preprocessing (numeric mean-imputed and
    // standardized, categorical most-frequent-imputed and one-hot encoded, or ordinal-encoded
    // for native splits).
    var fittedSteps: [FittedTransformer] = []
    if features.columns.contains(where: { $0.numericValues == nil }) {
        // (Native: the scaling first, so it leaves the codes alone.)
        let steps: [PreprocessingConfig] = native ? [
            .impute(columns: .numeric, strategy: .mean, fillValue: nil),
            .scale(columns: .numeric, method: .standard),
            .impute(columns: .categorical, strategy: .mostFrequent, fillValue: nil),
            .ordinal(columns: .categorical, categories: [:], unknownValue: -1),
        ] : [
            .impute(columns: .numeric, strategy: .mean, fillValue: nil),
            .impute(columns: .categorical, strategy: .mostFrequent, fillValue: nil),
            .oneHot(columns: .categorical, ignoreUnknown: true, drop: .none),
            .scale(columns: .numeric, method: .standard),
        ]
        for step in steps {
            let fitted = try step.fit(features)
            features = try fitted.transform(features)
            fittedSteps.append(fitted)
        }
    }
    let codes = FittedTransformer.categoryCounts(after: fittedSteps)
    let categoryCounts = features.columnNames.map { codes[$0] ?? 0 }
    var values = [Double](repeating: 0, count: features.rowCount * features.columnCount)
    for (j, column) in features.columns.enumerated() {
        for (i, value) in column.numericValues!.enumerated() { values[i * features.columnCount + j] = value }
    }
    let x = Matrix(rows: features.rowCount, columns: features.columnCount, values: values)
    let split = try DataSplit.trainTest(target, testSize: .fraction(0.2), stratify: task == .classification, shuffle: true, seed: 42)
    let trainX = x.taking(rows: split.train), testX = x.taking(rows: split.test)
    let trainTarget = target.taking(rows: split.train), testTarget = target.taking(rows: split.test)
    let classification = task == .classification
    let model: ModelConfig
    switch modelName {
    case "random_forest":
        model = ModelConfig(RandomForestConfig(trees: 100, settings: TreeSettings(criterion: classification ? .gini : .squaredError, maxFeatures: classification ? .sqrt : .all), seed: 0))
    case "decision_tree":
        model = ModelConfig(DecisionTreeConfig(settings: TreeSettings(criterion: classification ? .gini : .squaredError)))
    default:
        // LightGBM's defaults beside it: 100 trees of 31 leaves.
        model = ModelConfig(HistGradientBoostingConfig(maxIterations: 100, maxLeafNodes: 31, earlyStopping: .off, seed: 0, categorical: native ? .native : nil))
    }
    let baseline = memoryKB("VmRSS")
    var fitTimes: [Double] = [], predictTimes: [Double] = []
    var score = 0.0
    for _ in 0..<repeats {
        let fitStart = DispatchTime.now().uptimeNanoseconds
        let fitted = try model.fit(trainX, trainTarget, categoryCounts: categoryCounts, featureNames: features.columnNames, context: FitContext(threads: threads))
        fitTimes.append(seconds(since: fitStart))
        let predictStart = DispatchTime.now().uptimeNanoseconds
        let prediction = fitted.predict(testX, threads: threads)
        predictTimes.append(seconds(since: predictStart))
        score = try Scoring.score(classification ? .accuracy : .r2, truth: testTarget, prediction: prediction)
    }
    let report: [String: Any] = [
        "model": modelName, "file": (path as NSString).lastPathComponent, "n_train": split.train.count, "n_test": split.test.count,
        "threads": threads, "fit_s": fitTimes.min()!, "predict_s": predictTimes.min()!, "fit_runs": fitTimes,
        classification ? "test_accuracy" : "test_r2": score,
        "peak_rss_mb": Double(memoryKB("VmHWM")) / 1024, "baseline_rss_mb": Double(baseline) / 1024,
    ]
    print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("tree-bench: \(error)\n".utf8))
    exit(1)
}
