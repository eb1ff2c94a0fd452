import Packaging
import Foundation
import Learn
import Spec
import Synchronization

/// How a stage ended up with its output.
public struct StageOutcome: Sendable, Codable, Equatable {
    public var name: String
    public var kind: StageKind
    /// The output's name (`model`, `bundle`, ...), under which results list its digest.
    public var artifact: String
    public var key: String
    /// SHA-256 of the stage's canonical parameters.
    public var params: String
    /// Input role → digest.
    public var inputs: [String: String]
    /// Digest of the stage's one output.
    public var output: String
    public var cached: Bool
    /// Wall seconds of the computation (for a cached stage, of the run that computed it).
    public var seconds: Double
}

public struct ExecutionOptions: Sendable {
    /// Stages run at once.
    public var jobs: Int
    /// false: compute every stage (verification), still writing results to the store.
    public var useCache: Bool
    /// Package (and so deploy) only a model that passes the spec's tests
    /// (`--allow-failed-tests` turns this off).
    public var requirePassingTests: Bool
    /// Kinds of stage not to run at all (with everything after them): `runner test` stops
    /// before profiling and packaging.
    public var withheldKinds: Set<StageKind>
    /// Compute only this shard's cross-validation fits (and the load and split they need);
    /// run with `Executor.runShard`.
    public var shard: Shard?
    /// A remote store: stages missing locally are fetched from it before they would be
    /// computed, and what this run computes (or has) is sent to it.
    public var remote: RemoteSync?

    public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount, useCache: Bool = true, requirePassingTests: Bool = true, withheldKinds: Set<StageKind> = [], shard: Shard? = nil,
                remote: RemoteSync? = nil) {
        self.jobs = max(1, jobs)
        self.useCache = useCache
        self.requirePassingTests = requirePassingTests
        self.withheldKinds = withheldKinds
        self.shard = shard
        self.remote = remote
    }
}

public struct Execution: Sendable {
    public var outcomes: [StageOutcome]
    public var leaderboard: Leaderboard
    public var evaluation: TestEvaluation
    /// The spec's model tests, judged (no_regression against the lock), in the spec's order.
    public var tests: [ModelTestResult] = []
    /// Stages not run: withheld kinds, or packaging of a model that failed its tests.
    public var withheld: [String] = []
    /// Outputs still decoded in memory, by digest, so packaging need not read them back.
    var decoded: [String: Artifact] = [:]
}

/// What one shard of a search did (`runner run --shard I/N`): its fits, computed or found.
public struct ShardExecution: Sendable {
    public var shard: Shard
    /// The stages run: load, split and this shard's fits.
    public var outcomes: [StageOutcome]
    /// Every fit of the search, all shards together.
    public var totalFits: Int

    public var fits: [StageOutcome] { outcomes.filter { $0.kind == .fit } }
}

public enum ExecutionFailure: Error, Sendable {
    /// A stage failed; `finished` stages are cached.
    case failed(EngineError, finished: Int)
    /// Cancelled (Ctrl-C); `finished` stages are cached.
    case cancelled(finished: Int)
    case store(StoreError)
}

/// Runs a graph's stages on `jobs` threads: a stage starts when its inputs are ready, is
/// skipped when its key is cached, and otherwise computes, stores its output and records
/// itself. The first failure stops new stages; stages already running finish and are kept.
public final class Executor: @unchecked Sendable {
    private let graph: ExperimentGraph
    private let store: ContentStore
    private let options: ExecutionOptions
    private let keys: PackagingKeys
    private let report: @Sendable (RunEvent) -> Void
    private let cancellation: CancellationFlag

    // Scheduling state, guarded by `condition`.
    private let condition = NSCondition()
    private var waitingOn: [Int]
    private var dependents: [[Int]]
    private var ready: [Int] = []
    private var running = 0
    private var outcomes: [StageOutcome?]
    private var resolvedParams: [Data?]
    private var failure: EngineError?
    private var storeFailure: StoreError?
    private var withheld: [Bool]
    /// Whether every model test passed, once a gated stage asked.
    private let testsPassed = Mutex<Bool?>(nil)
    /// In a shard run, the stages it runs; every other stage is withheld.
    private let shardStages: Set<Int>?

    /// Thrown by `process` for a stage that is not to run.
    private struct Withheld: Error {}

    /// Decoded artifacts of this run by digest, so inputs are read and decoded once.
    private let artifacts = Mutex<[String: Artifact]>([:])
    private let memo = RunMemo()

    public init(graph: ExperimentGraph, store: ContentStore, options: ExecutionOptions, keys: PackagingKeys = PackagingKeys(), cancellation: CancellationFlag = CancellationFlag(), report: @escaping @Sendable (RunEvent) -> Void = { _ in }) {
        self.graph = graph
        self.store = store
        self.options = options
        self.keys = keys
        self.report = report
        self.cancellation = cancellation
        waitingOn = graph.stages.map(\.dependencies.count)
        dependents = Array(repeating: [], count: graph.stages.count)
        for (index, stage) in graph.stages.enumerated() {
            for producer in stage.dependencies { dependents[producer].append(index) }
        }
        outcomes = Array(repeating: nil, count: graph.stages.count)
        withheld = Array(repeating: false, count: graph.stages.count)
        resolvedParams = graph.stages.map(\.fixedParameters)
        if let shard = options.shard {
            let assignment = ShardPlan.assignment(graph, shards: shard.count)
            var stages = Set(assignment.filter { $0.value == shard.index }.keys)
            // The fits' own inputs (load and split) run in every shard.
            for fit in Array(stages) { stages.formUnion(graph.stages[fit].dependencies) }
            shardStages = stages
        } else {
            shardStages = nil
        }
        let initial = waitingOn
        ready = initial.indices.filter { initial[$0] == 0 }
    }

    /// Runs one shard's fits (`options.shard`); nothing after them.
    public func runShard() throws(ExecutionFailure) -> ShardExecution {
        guard let shard = options.shard else { throw .failed(EngineError.internalError("runShard without a shard"), finished: 0) }
        let finished = try runStages()
        return ShardExecution(shard: shard, outcomes: finished, totalFits: graph.fitStages.count)
    }

    public func run() throws(ExecutionFailure) -> Execution {
        let finished = try runStages()
        let withheldNames = graph.stages.indices.filter { withheld[$0] }.map { graph.stages[$0].name }
        do {
            guard let select = graph.index(of: ExperimentGraph.StageName.select), let evaluate = graph.index(of: ExperimentGraph.StageName.evaluate),
                  let leaderboard = try artifact(of: select).leaderboard, let evaluation = try artifact(of: evaluate).evaluation else {
                throw EngineError.internalError("the graph has no select and evaluate outputs")
            }
            let memory = artifacts.withLock { $0 }
            var decoded: [String: Artifact] = [:]
            for outcome in finished where [.load, .split, .refit, .package, .deploy].contains(outcome.kind) { decoded[outcome.output] = memory[outcome.output] }
            return Execution(outcomes: finished, leaderboard: leaderboard, evaluation: evaluation, tests: try judgedTests(), withheld: withheldNames, decoded: decoded)
        } catch let error as EngineError {
            throw .failed(error, finished: finished.count)
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .failed(EngineError.internalError("\(error)"), finished: finished.count)
        }
    }

    /// Runs every stage that is to run on `jobs` threads; the outcomes of those that did.
    private func runStages() throws(ExecutionFailure) -> [StageOutcome] {
        report(.started(total: shardStages?.count ?? graph.stages.count))
        let done = DispatchGroup()
        for _ in 0..<min(options.jobs, graph.stages.count) {
            done.enter()
            let worker = Thread { [self] in
                work()
                done.leave()
            }
            worker.stackSize = 16 << 20
            worker.start()
        }
        done.wait()
        let finished = outcomes.compactMap { $0 }
        let withheldCount = withheld.filter { $0 }.count
        if let storeFailure { throw .store(storeFailure) }
        if let failure { throw .failed(failure, finished: finished.count) }
        guard finished.count + withheldCount == graph.stages.count else { throw .cancelled(finished: finished.count) }
        return finished
    }

    private func work() {
        while let index = next() {
            do {
                let outcome = try process(index)
                complete(index, outcome)
            } catch is Withheld {
                complete(index, nil)
            } catch let error as StoreError {
                fail(storeError: error)
            } catch let error as EngineError {
                fail(error)
            } catch {
                fail(EngineError.stageFailed(stage: graph.stages[index].name, reason: "\(error)"))
            }
        }
    }

    private func next() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if failure != nil || storeFailure != nil || cancellation.isCancelled { return nil }
            if !ready.isEmpty {
                running += 1
                return ready.removeFirst()
            }
            if running == 0 { return nil }
            condition.wait()
        }
    }

    /// Records a finished stage (nil: withheld) and readies the stages waiting on it.
    private func complete(_ index: Int, _ outcome: StageOutcome?) {
        condition.lock()
        outcomes[index] = outcome
        if outcome == nil { withheld[index] = true }
        running -= 1
        for dependent in dependents[index] {
            waitingOn[dependent] -= 1
            if waitingOn[dependent] == 0 { ready.append(dependent) }
        }
        condition.broadcast()
        condition.unlock()
    }

    private func fail(_ error: EngineError? = nil, storeError: StoreError? = nil) {
        condition.lock()
        running -= 1
        if failure == nil && storeFailure == nil {
            failure = error
            storeFailure = storeError
        }
        condition.broadcast()
        condition.unlock()
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    /// Key, cache lookup, and computation when needed.
    private func process(_ index: Int) throws -> StageOutcome {
        let stage = graph.stages[index]
        if let shardStages, !shardStages.contains(index) { throw Withheld() }
        if options.withheldKinds.contains(stage.kind) || locked({ stage.dependencies.contains { withheld[$0] } }) { throw Withheld() }
        if options.requirePassingTests, stage.kind == .package || stage.kind == .deploy, try !allTestsPassed() { throw Withheld() }
        let inputs = locked { Dictionary(uniqueKeysWithValues: stage.inputs.map { ($0.role, outcomes[$0.stage]!.output) }) }
            .merging(stage.external) { first, _ in first }
        let params = try parameters(of: index)
        let paramsDigest = Hashing.sha256(params)
        let key = Stage.key(kind: stage.kind, paramsDigest: paramsDigest, inputs: inputs)
        if options.useCache, let record = try cachedRecord(key), let output = record.outputs[stage.output] {
            report(.stageFinished(name: stage.name, cached: true, seconds: record.seconds))
            return StageOutcome(name: stage.name, kind: stage.kind, artifact: stage.output, key: key, params: paramsDigest, inputs: inputs, output: output, cached: true, seconds: record.seconds)
        }
        report(.stageStarted(name: stage.name))
        let start = Date()
        let (digest, data, log) = try compute(index, params: params)
        let seconds = Date().timeIntervalSince(start)
        try store.put(data, digest: digest)
        try store.write(StageRecord(key: key, kind: stage.kind.rawValue, name: stage.name, outputs: [stage.output: digest], seconds: seconds, log: log, runnerVersion: RunnerVersion.current, created: start))
        try options.remote?.publish(key: key, outputs: [digest])
        report(.stageFinished(name: stage.name, cached: false, seconds: seconds))
        return StageOutcome(name: stage.name, kind: stage.kind, artifact: stage.output, key: key, params: paramsDigest, inputs: inputs, output: digest, cached: false, seconds: seconds)
    }

    /// The record of `key` from the local store, else from the remote (fetched into the store).
    /// A local hit is also sent to a remote that lacks it (a run before the remote was named).
    private func cachedRecord(_ key: String) throws -> StageRecord.Summary? {
        if let record = store.cachedRecord(for: key) {
            try options.remote?.publish(key: key, outputs: Array(record.outputs.values))
            return record
        }
        return try options.remote?.fetch(key: key, warn: { [report] in report(.warning($0)) })
    }

    /// The test stages' results, judged, in the spec's order.
    private func judgedTests() throws -> [ModelTestResult] {
        var results: [ModelTestResult] = []
        let skipped = locked { withheld }
        for index in graph.stages.indices where graph.stages[index].kind == .test && !skipped[index] {
            guard let result = try artifact(of: index).testResult, graph.tests.indices.contains(result.number - 1) else {
                throw EngineError.internalError("test stage '\(graph.stages[index].name)' has no result")
            }
            results.append(result.judged(check: graph.tests[result.number - 1], lock: graph.lockedTestMetrics))
        }
        return results.sorted { $0.number < $1.number }
    }

    private func allTestsPassed() throws -> Bool {
        if let known = testsPassed.withLock({ $0 }) { return known }
        let passed = try judgedTests().allSatisfy { $0.passed == true }
        testsPassed.withLock { $0 = passed }
        return passed
    }

    private func parameters(of index: Int) throws -> Data {
        if let params = locked({ resolvedParams[index] }) { return params }
        guard let params = try graph.parameters(of: index, winner: { try artifact(of: $0).leaderboard?.best }) else {
            throw EngineError.internalError("stage '\(graph.stages[index].name)' has no parameters")
        }
        locked { resolvedParams[index] = params }
        return params
    }

    /// Runs a stage's computation on its inputs; returns the output's digest, its encoded
    /// bytes and the log (the decoded output stays in memory under its digest).
    private func compute(_ index: Int, params: Data) throws -> (String, Data, [String]) {
        let stage = graph.stages[index]
        var inputs: [String: Artifact] = [:]
        for input in stage.inputs { inputs[input.role] = try artifact(of: input.stage) }
        // Fits run many at once, so each keeps to one thread; lone stages use them all.
        let threads = stage.kind == .fit ? 1 : options.jobs
        let digests = locked { Dictionary(uniqueKeysWithValues: stage.inputs.compactMap { input in outcomes[input.stage].map { (input.role, $0.output) } }) }
        let context = StageContext(graph: graph, threads: threads, memo: memo, inputDigests: digests, keys: keys)
        let artifact: Artifact, log: [String]
        do {
            (artifact, log) = try stage.kind.definition.run(params, StageInputs(artifacts: inputs), context)
        } catch let error as EngineError {
            throw error
        } catch let error as StoreError {
            throw error
        } catch let error as LearnError {
            throw EngineError.learning(stage: stage.name, error)
        } catch let error as BundleError {
            throw EngineError.packaging(stage: stage.name, error)
        } catch {
            throw EngineError.stageFailed(stage: stage.name, reason: "\(error)")
        }
        let data = artifact.encoded()
        let digest = Hashing.sha256(data)
        artifacts.withLock { $0[digest] = artifact }
        return (digest, data, log)
    }

    /// The output of a finished stage: from memory, else from the store (verified), else
    /// recomputed when the stored blob is corrupted or gone.
    private func artifact(of producer: Int) throws -> Artifact {
        let stage = graph.stages[producer]
        guard let digest = locked({ outcomes[producer]?.output }) else { throw EngineError.internalError("stage '\(stage.name)' has not run") }
        if let artifact = artifacts.withLock({ $0[digest] }) { return artifact }
        do {
            let artifact = try Artifact.decode(try store.read(digest), as: stage.kind.form)
            artifacts.withLock { $0[digest] = artifact }
            return artifact
        } catch let error as StoreError {
            report(.warning("\(error.description), output of stage '\(stage.name)'; recomputing it"))
        } catch {
            report(.warning("blob \(digest.prefix(12)) (output of stage '\(stage.name)') cannot be decoded (\(error)); recomputing it"))
        }
        store.removeBlob(digest)
        let (recomputed, data, _) = try compute(producer, params: try parameters(of: producer))
        guard recomputed == digest else {
            throw EngineError.notReproducible(stage: stage.name, recorded: digest, recomputed: recomputed)
        }
        try store.put(data, digest: digest)
        guard let artifact = artifacts.withLock({ $0[digest] }) else { throw EngineError.internalError("recomputed artifact missing") }
        return artifact
    }
}
