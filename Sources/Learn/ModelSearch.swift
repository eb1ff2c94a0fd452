import Dispatch
import Foundation
import Tabular

/// One point of a hyperparameter search: a named model with its settings, as a pipeline.
public struct SearchCandidate: Sendable, Equatable {
    public var model: String
    /// Parameter names and values as the spec wrote them, for reports.
    public var params: [String: String]
    public var pipeline: PipelineConfig

    public init(model: String, params: [String: String], pipeline: PipelineConfig) {
        self.model = model
        self.params = params
        self.pipeline = pipeline
    }
}

public struct SearchSettings: Sendable, Equatable {
    public var folds: Int
    public var stratified: Bool
    public var shuffle: Bool
    public var seed: UInt64
    /// The metric that picks the winner.
    public var scoring: Metric
    /// Every metric to report (scoring is always included).
    public var metrics: [Metric]
    /// Candidate-fold fits run on this many threads; results do not depend on it.
    public var threads: Int

    public init(folds: Int = 5, stratified: Bool = true, shuffle: Bool = true, seed: UInt64 = 0, scoring: Metric, metrics: [Metric] = [], threads: Int = 1) {
        self.folds = folds
        self.stratified = stratified
        self.shuffle = shuffle
        self.seed = seed
        self.scoring = scoring
        self.metrics = metrics.contains(scoring) ? metrics : [scoring] + metrics
        self.threads = max(1, threads)
    }
}

/// Cross-validated scores of one metric: one value per fold, their mean and (population)
/// standard deviation, as scikit-learn's `cv_results_`.
public struct FoldScores: Sendable, Equatable, Codable {
    public var folds: [Double]
    public var mean: Double
    public var std: Double

    public init(_ folds: [Double]) {
        self.folds = folds
        // Population std, as scikit-learn's cv_results_; overflow-safe for extreme scores.
        let moments = Moments.meanAndStandardDeviation(folds, deltaDegrees: 0)
        mean = moments.mean
        std = moments.std ?? .nan
    }
}

public struct CandidateResult: Sendable, Equatable {
    public var model: String
    public var params: [String: String]
    public var scores: [Metric: FoldScores]
    /// Wall seconds of each fold's fit (preprocessing and model); not part of any result.
    public var fitSeconds: [Double]
}

public struct SearchResult: Sendable, Equatable {
    public var candidates: [CandidateResult]
    public var bestIndex: Int
    public var scoring: Metric

    public var best: CandidateResult { candidates[bestIndex] }
}

/// Grid or random search with cross-validation, scikit-learn's `GridSearchCV` semantics:
/// preprocessing and model are fitted on each fold's training rows only.
public enum ModelSearch {
    public static func run(features: Table, target: Target, candidates: [SearchCandidate], settings: SearchSettings) throws(LearnError) -> SearchResult {
        guard !candidates.isEmpty else { throw LearnError.settings("the search has no candidates") }
        let folds = try DataSplit.folds(target, count: settings.folds, stratified: settings.stratified && target.task == .classification, shuffle: settings.shuffle, seed: settings.seed)
        let foldData = folds.map { fold in
            (trainFeatures: features.taking(rows: fold.train), trainTarget: target.taking(rows: fold.train),
             validationFeatures: features.taking(rows: fold.validation), validationTarget: target.taking(rows: fold.validation))
        }
        let taskCount = candidates.count * folds.count
        let outcomes = ParallelWork.map(count: taskCount, threads: settings.threads) { task -> Result<([Double], Double), LearnError> in
            let candidate = candidates[task / folds.count]
            let data = foldData[task % folds.count]
            do throws(LearnError) {
                return .success(try scoreFold(
                    candidate.pipeline, train: (data.trainFeatures, data.trainTarget),
                    validation: (data.validationFeatures, data.validationTarget), metrics: settings.metrics))
            } catch {
                return .failure(error.prefixed("model '\(candidate.model)'\(describe(candidate.params)), fold \(task % folds.count + 1) of \(folds.count): "))
            }
        }
        var results: [CandidateResult] = []
        for (index, candidate) in candidates.enumerated() {
            var perMetric = [[Double]](repeating: [], count: settings.metrics.count)
            var seconds: [Double] = []
            for fold in 0..<folds.count {
                let (values, fitSeconds) = try outcomes[index * folds.count + fold].get()
                for (m, value) in values.enumerated() { perMetric[m].append(value) }
                seconds.append(fitSeconds)
            }
            var scores: [Metric: FoldScores] = [:]
            for (m, metric) in settings.metrics.enumerated() { scores[metric] = FoldScores(perMetric[m]) }
            results.append(CandidateResult(model: candidate.model, params: candidate.params, scores: scores, fitSeconds: seconds))
        }
        return SearchResult(candidates: results, bestIndex: bestIndex(means: results.map { $0.scores[settings.scoring]!.mean }, settings.scoring), scoring: settings.scoring)
    }

    /// Fits `pipeline` on one fold's training rows and scores it on its validation rows:
    /// the metric values in order, and the wall seconds of the fit.
    public static func scoreFold(_ pipeline: PipelineConfig, train: (Table, Target), validation: (Table, Target), metrics: [Metric], fit context: FitContext = FitContext()) throws(LearnError) -> ([Double], Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let fitted = try pipeline.fit(train.0, train.1, context: context)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let prediction = try fitted.predict(validation.0, threads: context.threads)
        var values: [Double] = []
        for metric in metrics {
            values.append(try Scoring.score(metric, truth: validation.1, prediction: prediction))
        }
        return (values, seconds)
    }

    /// Candidate indices best first: by mean score, ties in candidate order (scikit-learn's
    /// rank), undefined (NaN) scores last. The one ordering for the winner and the leaderboard.
    public static func ranking(means: [Double], _ metric: Metric) -> [Int] {
        means.indices.sorted { a, b in
            let x = means[a], y = means[b]
            if x.isNaN != y.isNaN { return !x.isNaN }
            if x != y && !x.isNaN { return metric.greaterIsBetter ? x > y : x < y }
            return a < b
        }
    }

    /// The best mean score (see `ranking`).
    public static func bestIndex(means: [Double], _ metric: Metric) -> Int {
        ranking(means: means, metric).first ?? 0
    }

    private static func describe(_ params: [String: String]) -> String {
        params.isEmpty ? "" : " with " + Wording.keyValues(params)
    }
}
