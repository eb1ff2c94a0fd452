import Deploy
import Foundation
import Learn
import Spec
import Tabular

/// A validated spec planned as a DAG of stages: load → split → fit (candidate × fold) →
/// select → refit → evaluate → package (one per format). Stages are in topological order
/// and are found by name, never by position.
public struct ExperimentGraph: Sendable {
    public var stages: [Stage]
    public var experimentName: String
    public var task: LearningTask
    public var target: String
    public var scoring: Metric
    public var metrics: [Metric]
    public var folds: Int
    /// The spec's search candidates, in the leaderboard's order.
    var candidates: [SearchCandidate]
    /// Every cross-validation fit stage and the candidate it fits (`ShardPlan` deals them out).
    var fitStages: [(stage: Int, candidate: Int)] = []
    /// The data source, and its digest when the graph was planned.
    public var dataSource: any DataSource
    public var source: DataDigest
    /// The table the spec checks already read, so the load stage need not read it again.
    var preloaded: Table?
    /// The spec's model tests, their metrics resolved, in the spec's order (test stage n
    /// checks `tests[n - 1]`).
    public var tests: [ModelCheck] = []
    /// The test metrics the spec's lock recorded when the run was planned (no_regression is
    /// judged against them after the run; never part of a key). nil: no lock yet.
    public var lockedTestMetrics: [String: Double]?
    /// The bundle digest each deploy target's registry reference resolved to (see `Inputs`).
    public var registryBundles: [String: String] = [:]
    /// Stage name → index.
    private var positions: [String: Int]

    /// Names of the stages other parts of runner read by name.
    public enum StageName {
        public static let load = "load"
        public static let split = "split"
        public static let select = "select"
        public static let refit = "refit"
        public static let evaluate = "evaluate"
        public static let profile = "profile"
        public static let diagnose = "diagnose"
        public static func test(_ number: Int, _ kind: String) -> String { "test \(number) \(kind)" }
        public static func package(_ format: String) -> String { "package \(format)" }
        public static func deploy(_ target: String) -> String { "deploy \(target)" }
    }

    /// The index of the stage called `name`.
    public func index(of name: String) -> Int? { positions[name] }

    /// What planning needs besides the checked spec: the data's digest, the spec's, and
    /// the packaging keys' fingerprints (the package stages' keys name them).
    public struct Inputs: Sendable {
        public var source: DataDigest
        public var specDigest: String
        public var keys: PackagingKeys
        /// Digests of the files the spec's tests read (examples, extra data), by resolved path.
        public var testFiles: [String: DataDigest]
        /// The bundle digest each deploy target's `model: NAME@STAGE` resolves to now, by reference.
        public var registryBundles: [String: String]

        public init(source: DataDigest, specDigest: String, keys: PackagingKeys, testFiles: [String: DataDigest] = [:], registryBundles: [String: String] = [:]) {
            self.source = source
            self.specDigest = specDigest
            self.keys = keys
            self.testFiles = testFiles
            self.registryBundles = registryBundles
        }
    }

    /// Plans a checked spec. `check` must be valid and carry its table and task.
    public static func plan(_ check: SpecCheck, _ planning: Inputs) throws(EngineError) -> ExperimentGraph {
        guard let experiment = check.experiment, let table = check.table, let task = check.task else {
            throw EngineError.planning("the spec must be valid, with its data read, before it can be planned")
        }
        let target = experiment.data.target.value
        let dropped = Set(experiment.data.drop.map(\.value))
        let features = table.dropping(columns: dropped.union([target]))
        let plan: SearchPlan
        do {
            plan = try experiment.searchPlan(task: task, columns: features.columns.map { ($0.name, $0.kind) })
        } catch {
            throw EngineError.planning(error.message)
        }
        var builder = Builder()
        let options = experiment.data.readOptions
        let load = builder.add(StageName.load, .load, params: LoadStage.Parameters(
            format: experiment.data.fileFormat,
            delimiter: options.delimiter, naValues: options.naValues, columnKinds: options.columnKinds,
            target: target, drop: experiment.data.drop.map(\.value).sorted(),
            rowFilters: plan.rowFilters.map { .init(columns: $0.columns, threshold: $0.threshold) }),
            inputs: [], external: ["data": planning.source.digest])
        let split = builder.add(StageName.split, .split, params: SplitStage.Parameters(
            target: target, task: task, testSize: plan.testSize, stratify: plan.stratifySplit, shuffle: plan.shuffleSplit,
            seed: experiment.seed, folds: plan.settings.folds, stratifiedFolds: plan.settings.stratified && task == .classification,
            shuffleFolds: plan.settings.shuffle),
            inputs: [.init(role: StageRole.dataset, stage: load)])
        let data: [Stage.Input] = [.init(role: StageRole.dataset, stage: load), .init(role: StageRole.split, stage: split)]
        let metrics = plan.settings.metrics
        // Thousands of fit stages share everything but the model and the fold: encode the
        // shared parts once and assemble each stage's parameters from them (the same bytes
        // as encoding FitStage.Parameters whole).
        let steps = CanonicalJSON.encode(plan.steps)
        let shared: [(String, Data)] = [("metrics", CanonicalJSON.encode(metrics)), ("target", CanonicalJSON.encode(target)), ("task", CanonicalJSON.encode(task))]
        let folds = plan.settings.folds
        let candidates = plan.candidates
        // Threads pay off only for large searches; starting them costs more than a few encodes.
        let encoded = ParallelWork.map(count: candidates.count, threads: candidates.count >= 256 ? ProcessInfo.processInfo.activeProcessorCount : 1) { index in
            let pipeline = CanonicalJSON.object([("model", CanonicalJSON.encode(candidates[index].pipeline.model)), ("steps", steps)])
            return (0..<folds).map { fold in CanonicalJSON.object(shared + [("fold", Data(String(fold).utf8)), ("pipeline", pipeline)]) }
        }
        var scores: [Stage.Input] = []
        var fitStages: [(stage: Int, candidate: Int)] = []
        var labels: Set<String> = []
        for (index, candidate) in candidates.enumerated() {
            var label = CandidateLabel.text(model: candidate.model, params: candidate.params)
            if labels.contains(label) { label += " #\(index + 1)" }
            labels.insert(label)
            for fold in 0..<folds {
                let fit = builder.add(Stage(name: "fit \(label) fold \(fold + 1)/\(folds)", kind: .fit, parameters: .fixed(encoded[index][fold]), inputs: data))
                scores.append(.init(role: StageRole.scores(candidate: index, fold: fold), stage: fit))
                fitStages.append((fit, index))
            }
        }
        let select = builder.add(StageName.select, .select, params: SelectStage.Parameters(
            candidates: candidates.map { .init(model: $0.model, type: $0.pipeline.model.typeName, params: $0.params) },
            scoring: plan.settings.scoring, metrics: metrics, folds: folds),
            inputs: scores)
        let refit = builder.add(Stage(name: StageName.refit, kind: .refit, parameters: .winner(select: select), inputs: data, after: [select]))
        let evaluate = builder.add(StageName.evaluate, .evaluate, params: EvaluateStage.Parameters(target: target, task: task, metrics: metrics),
                                   inputs: [.init(role: StageRole.model, stage: refit)] + data)
        let diagnose = builder.add(StageName.diagnose, .diagnose, params: DiagnoseStage.Parameters(
            target: target, task: task, metric: plan.settings.scoring, repeats: DiagnoseStage.repeats, seed: experiment.seed),
            inputs: [.init(role: StageRole.model, stage: refit)] + data)
        var testStages: [Int] = []
        var checks: [ModelCheck] = []
        for (offset, test) in experiment.tests.enumerated() {
            let number = offset + 1
            let check = test.check.resolved(scoring: plan.settings.scoring)
            checks.append(check)
            func companion(_ path: String?) throws(EngineError) -> ModelTestStage.CompanionFile? {
                guard let path else { return nil }
                guard let digest = planning.testFiles[path] else { throw EngineError.planning("test \(number) reads \(path), which was not hashed") }
                let source = experiment.data.companionSource(path: path)
                return .init(path: path, digest: digest.digest, format: source.format, delimiter: source.options.delimiter,
                             naValues: source.options.naValues, columnKinds: experiment.data.columnKinds)
            }
            let dataFile = try companion(test.data?.value), examples = try companion(test.examplesFile?.value)
            var external: [String: String] = [:]
            if let dataFile { external["test data"] = dataFile.digest }
            if let examples { external["examples"] = examples.digest }
            let inputs: [Stage.Input]
            if case .stability = check { inputs = [.init(role: StageRole.leaderboard, stage: select)] } else { inputs = [.init(role: StageRole.model, stage: refit)] + data }
            testStages.append(builder.add(StageName.test(number, check.kind), .test, params: ModelTestStage.Parameters(
                number: number, check: check, target: target, task: task, seed: experiment.seed, data: dataFile, examples: examples),
                inputs: inputs, output: "test-\(number)", external: external, after: [evaluate]))
        }
        _ = diagnose
        let profile = builder.add(StageName.profile, .profile, params: ProfileStage.Parameters(
            target: target, task: task, settings: experiment.monitor.driftSettings),
            inputs: [.init(role: StageRole.model, stage: refit)] + data)
        let packageInputs = data + [.init(role: StageRole.model, stage: refit), .init(role: StageRole.leaderboard, stage: select),
                                    .init(role: StageRole.evaluation, stage: evaluate), .init(role: StageRole.profile, stage: profile)]
        let asked = Set(experiment.package.formats.map(\.rawValue))
        var bundleStage: Int?
        for format in PackageStage.formats where asked.contains(format) {
            let stage = builder.add(StageName.package(format), .package, params: PackageStage.Parameters(
                format: format, experiment: experiment.name, task: task, target: target, runnerVersion: RunnerVersion.current,
                specDigest: planning.specDigest, dataDigest: planning.source.digest,
                encryptionKey: format == "bundle" ? planning.keys.encryptionFingerprint : nil,
                signingKey: format == "bundle" ? planning.keys.signingFingerprint : nil),
                inputs: packageInputs, output: format, after: testStages)
            if format == "bundle" { bundleStage = stage }
        }
        // Each deploy target's files and steps, from the bundle they serve (spec checks
        // refuse deploy targets without a bundle).
        // A target naming a registered model deploys that version's bundle, resolved at
        // planning: the stage's key changes when the registry's version does.
        for target in experiment.deploy {
            var params = DeployStage.Parameters(target: target, experiment: experiment.name, runnerVersion: RunnerVersion.current, encrypted: experiment.package.encryptionKey != nil)
            if let model = target.model?.value {
                guard let digest = planning.registryBundles[model] else { throw EngineError.planning("deploy target '\(target.name.value)': \(model) was not resolved in the registry") }
                params.registryModel = model
                params.registryBundle = digest
                builder.add(StageName.deploy(target.name.value), .deploy, params: params, inputs: [], output: "deploy-\(target.name.value)")
            } else if let bundleStage {
                builder.add(StageName.deploy(target.name.value), .deploy, params: params,
                            inputs: [.init(role: StageRole.bundle, stage: bundleStage)], output: "deploy-\(target.name.value)")
            }
        }
        var graph = ExperimentGraph(
            stages: builder.stages, experimentName: experiment.name, task: task, target: target, scoring: plan.settings.scoring,
            metrics: metrics, folds: folds, candidates: candidates,
            dataSource: experiment.data.dataSource, source: planning.source, preloaded: table, tests: checks, positions: builder.positions)
        graph.fitStages = fitStages
        graph.registryBundles = planning.registryBundles
        return graph
    }

    /// Appends stages in topological order and keeps their names unique.
    private struct Builder {
        var stages: [Stage] = []
        var positions: [String: Int] = [:]

        @discardableResult
        mutating func add(_ stage: Stage) -> Int {
            precondition(positions[stage.name] == nil, "two stages are named '\(stage.name)'")
            positions[stage.name] = stages.count
            stages.append(stage)
            return stages.count - 1
        }

        @discardableResult
        mutating func add<Parameters: Encodable>(_ name: String, _ kind: StageKind, params: Parameters, inputs: [Stage.Input], output: String? = nil, external: [String: String] = [:], after: [Int] = []) -> Int {
            add(Stage(name: name, kind: kind, parameters: .fixed(CanonicalJSON.encode(params)), inputs: inputs, output: output, external: external, after: after))
        }
    }

    /// A stage's parameters once what they wait for is known: fixed ones as planned, the
    /// refit's from the winner that the select stage names (`winner(select)`: the winning
    /// candidate's index, nil while unknown).
    func parameters(of index: Int, winner: (Int) throws -> Int?) throws -> Data? {
        switch stages[index].parameters {
        case .fixed(let data):
            return data
        case .winner(let select):
            guard let best = try winner(select) else { return nil }
            guard candidates.indices.contains(best) else {
                throw EngineError.internalError("the leaderboard names candidate \(best + 1), but the plan has \(candidates.count)")
            }
            let candidate = candidates[best]
            return CanonicalJSON.encode(RefitStage.Parameters(target: target, task: task, pipeline: candidate.pipeline))
        }
    }
}

/// "logreg{C=1, penalty=l2}": a candidate's model name and its grid values.
public enum CandidateLabel {
    public static func text(model: String, params: [String: String]) -> String {
        params.isEmpty ? model : model + "{" + Wording.keyValues(params) + "}"
    }
}
