import Foundation
import Synchronization
import Learn
import Tabular

/// The computation of each stage kind: parameters and input artifacts in, one artifact out.
/// Pure: the same parameters and inputs give the same bytes, whatever `threads` is.
struct StageComputation {
    let graph: ExperimentGraph
    /// Threads a single stage may use inside (model fits, predictions).
    let threads: Int
    /// Values every stage of a run would otherwise recompute: encoded targets, fold tables.
    let memo: RunMemo
    /// Digests of the dataset and split inputs, naming memo entries.
    let datasetDigest: String?
    let splitDigest: String?

    func run(_ stage: Stage, params: Data, inputs: [String: Artifact]) throws(EngineError) -> (artifact: Artifact, log: [String]) {
        do {
            switch stage.kind {
            case .load: return try load(CanonicalJSON.decode(LoadParams.self, from: params))
            case .split: return try split(CanonicalJSON.decode(SplitParams.self, from: params), dataset(inputs))
            case .fit: return try fit(CanonicalJSON.decode(FitParams.self, from: params), dataset(inputs), indices(inputs))
            case .select: return try select(CanonicalJSON.decode(SelectParams.self, from: params), inputs)
            case .refit: return try refit(CanonicalJSON.decode(RefitParams.self, from: params), dataset(inputs), indices(inputs))
            case .evaluate: return try evaluate(CanonicalJSON.decode(EvaluateParams.self, from: params), inputs)
            }
        } catch let error as EngineError {
            throw error
        } catch let error as LearnError {
            throw EngineError("stage '\(stage.name)': \(error.message)")
        } catch {
            throw EngineError("stage '\(stage.name)': \(error)")
        }
    }

    private func dataset(_ inputs: [String: Artifact]) throws -> Table {
        guard let table = inputs["dataset"]?.table else { throw EngineError("internal: dataset input missing") }
        return table
    }

    private func indices(_ inputs: [String: Artifact]) throws -> SplitIndices {
        guard let split = inputs["split"]?.split else { throw EngineError("internal: split input missing") }
        return split
    }

    private func load(_ params: LoadParams) throws -> (Artifact, [String]) {
        // The file must be the one that was planned (and hashed); otherwise keys would lie.
        let now = try DataDigest.fileIdentity(graph.sourcePath)
        guard now.text == graph.source.identity else {
            throw EngineError("\(graph.sourcePath) changed after the run was planned; rerun to plan against the new data")
        }
        var table: Table
        if let preloaded = graph.preloaded {
            table = preloaded
        } else {
            var options = ReadOptions(format: params.format, delimiter: params.delimiter, naValues: params.naValues, columnKinds: params.columnKinds)
            options.threads = threads
            do {
                table = try TableReader.read(path: graph.sourcePath, options: options)
            } catch {
                throw EngineError(error.description)
            }
        }
        table = table.dropping(columns: Set(params.drop))
        var log = ["read \(table.rowCount) rows × \(table.columnCount) columns"]
        for filter in params.rowFilters {
            let kept = try RowFilter.keptRows(table, columns: filter.columns, threshold: filter.threshold)
            if kept.count < table.rowCount {
                log.append("drop_missing removed \(table.rowCount - kept.count) rows")
                table = table.taking(rows: kept)
            }
        }
        guard table[params.target] != nil else { throw EngineError("the target column '\(params.target)' is not in the data") }
        return (.table(table), log)
    }

    /// Every stage of a run needs the same encoded target; encoding it is not free on large data.
    private func target(_ table: Table, _ name: String, _ task: Task) throws -> Target {
        let key = datasetDigest.map { "\($0) \(name) \(task.rawValue)" }
        if let key, let cached = memo.targets.value(for: key) { return cached }
        guard let column = table[name] else { throw EngineError("the target column '\(name)' is not in the data") }
        let encoded = try Target.encode(column, task: task)
        if let key { memo.targets.store(encoded, for: key) }
        return encoded
    }

    private func split(_ params: SplitParams, _ table: Table) throws -> (Artifact, [String]) {
        let target = try target(table, params.target, params.task)
        let (train, test) = try DataSplit.trainTest(target, testSize: params.testSize, stratify: params.stratify, shuffle: params.shuffle, seed: params.seed)
        let folds = try DataSplit.folds(target.taking(rows: train), count: params.folds, stratified: params.stratifiedFolds, shuffle: params.shuffleFolds, seed: params.seed)
        return (.split(SplitIndices(train: train, test: test, folds: folds)), ["\(train.count) training rows, \(test.count) test rows, \(folds.count) folds"])
    }

    private func fit(_ params: FitParams, _ table: Table, _ split: SplitIndices) throws -> (Artifact, [String]) {
        guard split.folds.indices.contains(params.fold) else { throw EngineError("internal: fold \(params.fold) is not in the split") }
        let data = try foldData(params, table, split)
        let pipeline = PipelineConfig(steps: params.pipeline.steps, model: params.pipeline.model.withThreads(threads))
        let (values, seconds) = try ModelSearch.scoreFold(pipeline, train: data.train, validation: data.validation, metrics: params.metrics)
        var metrics: [String: Double] = [:]
        for (metric, value) in zip(params.metrics, values) { metrics[metric.rawValue] = value }
        return (.fold(FoldOutcome(metrics: metrics)), [String(format: "fitted in %.3f s", seconds)])
    }

    /// One fold's training and validation rows, shared by every candidate's fit of that fold.
    private func foldData(_ params: FitParams, _ table: Table, _ split: SplitIndices) throws -> FoldData {
        let key = datasetDigest.flatMap { dataset in splitDigest.map { "\(dataset) \($0) \(params.target) \(params.task.rawValue) \(params.fold)" } }
        if let key, let cached = memo.folds.value(for: key) { return cached }
        let fold = split.folds[params.fold]
        let trainRows = fold.train.map { split.train[$0] }, validationRows = fold.validation.map { split.train[$0] }
        let features = table.dropping(columns: [params.target])
        let target = try target(table, params.target, params.task)
        let data = FoldData(train: (features.taking(rows: trainRows), target.taking(rows: trainRows)),
                            validation: (features.taking(rows: validationRows), target.taking(rows: validationRows)))
        if let key { memo.folds.store(data, for: key) }
        return data
    }

    private func select(_ params: SelectParams, _ inputs: [String: Artifact]) throws -> (Artifact, [String]) {
        var entries: [Leaderboard.Entry] = []
        for (index, candidate) in params.candidates.enumerated() {
            var perMetric: [String: [Double]] = [:]
            for fold in 0..<params.folds {
                guard let outcome = inputs["c\(index)f\(fold)"]?.fold else { throw EngineError("internal: scores of candidate \(index + 1), fold \(fold + 1) missing") }
                for metric in params.metrics { perMetric[metric.rawValue, default: []].append(outcome.metrics[metric.rawValue] ?? .nan) }
            }
            entries.append(Leaderboard.Entry(model: candidate.model, type: candidate.type, params: candidate.params, scores: perMetric.mapValues(FoldScores.init)))
        }
        let best = ModelSearch.bestIndex(means: entries.map { $0.scores[params.scoring.rawValue]?.mean ?? .nan }, params.scoring)
        let leaderboard = Leaderboard(scoring: params.scoring.rawValue, metrics: params.metrics.map(\.rawValue), candidates: entries, best: best)
        return (.leaderboard(leaderboard), ["best: \(ExperimentGraph.candidateLabel(graph.candidates[best]))"])
    }

    private func refit(_ params: RefitParams, _ table: Table, _ split: SplitIndices) throws -> (Artifact, [String]) {
        let features = table.dropping(columns: [params.target]).taking(rows: split.train)
        let target = try target(table, params.target, params.task).taking(rows: split.train)
        let pipeline = PipelineConfig(steps: params.pipeline.steps, model: params.pipeline.model.withThreads(threads))
        let fitted = try pipeline.fit(features, target)
        return (.model(fitted), ["refitted on \(split.train.count) rows"])
    }

    private func evaluate(_ params: EvaluateParams, _ inputs: [String: Artifact]) throws -> (Artifact, [String]) {
        guard let model = inputs["model"]?.model else { throw EngineError("internal: model input missing") }
        let table = try dataset(inputs), split = try indices(inputs)
        let features = table.dropping(columns: [params.target]).taking(rows: split.test)
        let truth = try target(table, params.target, params.task).taking(rows: split.test)
        let prediction = try model.predict(features, threads: threads)
        var metrics: [String: Double] = [:]
        for metric in params.metrics { metrics[metric.rawValue] = try Scoring.score(metric, truth: truth, prediction: prediction) }
        var matrix: [[Int]]?
        if case .classes(let codes, let names) = truth, case .classes(let predicted, _) = prediction {
            matrix = Scoring.confusionMatrix(truth: codes, predicted: predicted, classCount: names.count)
        }
        return (.evaluation(TestEvaluation(rows: split.test.count, metrics: metrics, confusionMatrix: matrix, classes: model.classes)), [])
    }
}

struct FoldData: Sendable {
    var train: (Table, Target)
    var validation: (Table, Target)
}

/// What the stages of one run share in memory, by the digests of the inputs it came from.
final class RunMemo: Sendable {
    let targets = SharedValues<Target>()
    let folds = SharedValues<FoldData>()
}

final class SharedValues<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])

    func value(for key: String) -> Value? { entries.withLock { $0[key] } }
    func store(_ value: Value, for key: String) { entries.withLock { $0[key] = value } }
}
