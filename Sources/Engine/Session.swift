import DatabaseSources
import Foundation
import Packaging
import Spec
import Tabular

/// A spec made ready to run: checked, its data hashed, planned against a store.
public struct PreparedRun: Sendable {
    public var specPath: String
    public var spec: RunResults.FileDigest
    public var check: SpecCheck
    public var graph: ExperimentGraph
    public var store: ContentStore
    /// Keys for packaging, loaded up front.
    public var keys: PackagingKeys
}

/// Why a spec could not be prepared.
public enum PreparationFailure: Error, Sendable {
    /// The spec (or its data, as seen by the checks) has errors: print them, exit 2.
    case invalid([Diagnostic])
    /// Data, store or planning failure: exit 1.
    case failed(String)
}

/// The steps every engine command shares: find the store, check and plan the spec, and after
/// a run write results, lock and index entries.
public enum Session {
    /// `--store`, else `RUNNER_STORE`, else `.runner` beside the spec (or in the current folder).
    public static func storePath(explicit: String?, specPath: String?) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let environment = ProcessInfo.processInfo.environment["RUNNER_STORE"], !environment.isEmpty { return environment }
        guard let specPath else { return ".runner" }
        let folder = (specPath as NSString).deletingLastPathComponent
        return folder.isEmpty ? ".runner" : "\(folder)/.runner"
    }

    public static func prepare(specPath: String, storePath: String) throws(PreparationFailure) -> PreparedRun {
        guard let bytes = FileManager.default.contents(atPath: specPath) else {
            // The loader words every reason a spec cannot be read.
            throw .invalid(SpecLoader.load(path: specPath, checkData: false).diagnostics)
        }
        let text: String
        switch SpecLoader.decode(bytes, file: specPath) {
        case .success(let decoded): text = decoded
        case .failure(let diagnostic): throw .invalid([diagnostic])
        }
        let folder = (specPath as NSString).deletingLastPathComponent
        let stem = ((specPath as NSString).lastPathComponent as NSString).deletingPathExtension
        // The data file's identity before the checks read it: if it changes while they do,
        // the digest would describe other data than the one checked.
        // (A query's identity is the digest of its rows, which the checks' read fixes for the
        // whole run; asking first would read the rows twice.)
        var before: String?
        let check = SpecLoader.load(text: text, file: specPath, baseDirectory: folder, defaultName: stem, checkData: true) { experiment in
            let source = experiment.data.dataSource
            if !source.identityReadsContent { before = try? source.identity() }
        }
        guard check.isValid, let experiment = check.experiment else { throw .invalid(check.diagnostics) }
        let store: ContentStore
        let source: DataDigest
        do {
            store = try ContentStore.open(storePath)
        } catch {
            throw .failed(error.description)
        }
        do {
            source = try DataDigest.of(experiment.data.dataSource, store: store)
        } catch {
            throw .failed(error.description)
        }
        let specDigest = Hashing.sha256(bytes)
        guard experiment.data.dataSource.identityReadsContent || source.identity == before else {
            throw .failed("\(experiment.data.dataSource) changed while it was being checked; rerun when it is stable")
        }
        let keys: PackagingKeys
        do {
            keys = try PackagingKeys.load(experiment.package)
        } catch {
            throw .failed(error.description)
        }
        var testFiles: [String: DataDigest] = [:]
        var lockedTestMetrics: [String: Double]?
        do {
            for test in experiment.tests {
                for path in [test.data?.value, test.examplesFile?.value].compactMap({ $0 }) where testFiles[path] == nil {
                    testFiles[path] = try DataDigest.of(experiment.data.companionSource(path: path), store: store)
                }
            }
            // no_regression compares with the lock as it was before this run.
            if experiment.tests.contains(where: { if case .noRegression = $0.check { return true } else { return false } }) {
                lockedTestMetrics = try LockFile.readIfPresent(LockFile.path(forSpec: specPath))?.metrics.test
            }
        } catch {
            throw .failed(error.description)
        }
        let registryBundles = try resolveRegisteredModels(experiment, store: store)
        do {
            var graph = try ExperimentGraph.plan(check, .init(source: source, specDigest: specDigest, keys: keys, testFiles: testFiles, registryBundles: registryBundles))
            graph.lockedTestMetrics = lockedTestMetrics
            return PreparedRun(
                specPath: specPath, spec: RunResults.FileDigest(path: specPath, digest: specDigest, bytes: bytes.count),
                check: check, graph: graph, store: store, keys: keys)
        } catch {
            throw .failed(error.description)
        }
    }

    /// The bundle each deploy target's `model: NAME@STAGE` names now, from the registry
    /// (RUNNER_REGISTRY, else the store's index); the bundle must be in the store.
    static func resolveRegisteredModels(_ experiment: Experiment, store: ContentStore) throws(PreparationFailure) -> [String: String] {
        let references = experiment.deploy.compactMap { $0.model }
        guard !references.isEmpty else { return [:] }
        var resolved: [String: String] = [:]
        do {
            let registry = try ModelRegistry(store: store, location: ProcessInfo.processInfo.environment["RUNNER_REGISTRY"], passwordAllowed: true)
            for reference in references where resolved[reference.value] == nil {
                let version = try registry.resolve(reference.value)
                guard store.contains(version.bundle) else {
                    throw StoreError.index("\(version.name)@\(version.version)'s bundle \(version.bundle.prefix(12)) is not in the store at \(store.root); register it from this store or share the store")
                }
                resolved[reference.value] = version.bundle
            }
        } catch {
            let model = references.first { resolved[$0.value] == nil }
            let place = model?.location.map { "\($0.line):\($0.column): " } ?? ""
            throw .failed("\(place)deploy.model \(model?.value ?? ""): \(Self.describeRegistryError(error))")
        }
        return resolved
    }

    static func describeRegistryError(_ error: any Error) -> String {
        if let error = error as? RegistryError { return error.description }
        if let error = error as? StoreError { return error.description }
        if let error = error as? DataError { return "registry \(error.path): \(error.message)" }
        return "\(error)"
    }

    /// A new run id: time of start, then random, so ids sort by time and never collide.
    public static func newRunID(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: date) + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16).leftPadded(to: 8)
    }

    /// Runs a prepared spec; the results know every stage's digest and timing.
    public static func execute(_ prepared: PreparedRun, options: ExecutionOptions, cancellation: CancellationFlag = CancellationFlag(), report: @escaping @Sendable (RunEvent) -> Void = { _ in }) throws(ExecutionFailure) -> (RunResults, Execution) {
        let started = Date()
        // The run ends by recording itself in the index: a damaged index fails now, not after the work.
        do {
            _ = try RunIndex(store: prepared.store)
        } catch {
            throw .store(error)
        }
        let execution = try Executor(graph: prepared.graph, store: prepared.store, options: options, keys: prepared.keys, cancellation: cancellation, report: report).run()
        let results = RunResults(graph: prepared.graph, execution: execution, runID: newRunID(started), started: started, seconds: Date().timeIntervalSince(started), spec: prepared.spec,
                                 requirePassingTests: options.requirePassingTests)
        return (results, execution)
    }

    /// Runs one shard of a prepared spec's cross-validation fits (`runner run --shard I/N`):
    /// the fits land in the store like any stage's output; nothing is selected, recorded or
    /// locked. A later run without a shard finds them cached.
    public static func executeShard(_ prepared: PreparedRun, options: ExecutionOptions, cancellation: CancellationFlag = CancellationFlag(), report: @escaping @Sendable (RunEvent) -> Void = { _ in }) throws(ExecutionFailure) -> ShardExecution {
        try Executor(graph: prepared.graph, store: prepared.store, options: options, keys: prepared.keys, cancellation: cancellation, report: report).runShard()
    }

    /// The lock a run implies.
    public static func lock(_ prepared: PreparedRun, _ results: RunResults, _ execution: Execution) -> LockFile {
        LockFile(results: results, outcomes: execution.outcomes, source: prepared.graph.dataSource, written: prepared.check.experiment?.data.source.value)
    }

    /// `out/<experiment>/` beside the spec.
    public static func defaultOutput(specPath: String, experiment: String) -> String {
        let folder = (specPath as NSString).deletingLastPathComponent
        return (folder.isEmpty ? "" : folder + "/") + "out/\(experiment)"
    }

    /// Writes results.json to `outputFolder`, the lock beside the spec, the results into the
    /// store and a row into the run index. Returns the results.json path.
    @discardableResult
    public static func record(_ prepared: PreparedRun, _ results: RunResults, _ execution: Execution, outputFolder: String, writeLock: Bool = true, writeResults: Bool = true) throws(StoreError) -> String {
        var encoded = CanonicalJSON.encode(results, pretty: true)
        encoded.append(0x0A)
        let digest = try prepared.store.put(encoded)
        // The spec's text, so `runner diff` can show what changed between two runs.
        if let text = FileManager.default.contents(atPath: prepared.specPath), Hashing.sha256(text) == prepared.spec.digest { try prepared.store.put(text) }
        let resultsPath = "\(outputFolder)/results.json"
        if writeResults {
            try AtomicFile.makeFolder(outputFolder)
            try AtomicFile.write(encoded, to: resultsPath, temporaryFolder: outputFolder)
        }
        if writeLock {
            let lockPath = LockFile.path(forSpec: prepared.specPath)
            let contents = lock(prepared, results, execution).encoded()
            // An unchanged lock is left alone (no rewrite, no new modification time).
            if AtomicFile.read(lockPath) != contents {
                try AtomicFile.write(contents, to: lockPath, temporaryFolder: (lockPath as NSString).deletingLastPathComponent.nonEmpty ?? ".")
            }
        }
        try RunIndex(store: prepared.store).record(RunSummary(results: results, specPath: prepared.specPath, resultsDigest: digest))
        return resultsPath
    }

    /// The results of a recorded run, from the store.
    public static func results(of run: RunSummary, in store: ContentStore) throws(StoreError) -> RunResults {
        let data = try store.read(run.results)
        do {
            return try CanonicalJSON.decode(RunResults.self, from: data)
        } catch {
            throw StoreError.system("the results of run \(run.id) cannot be decoded (\(error))", EIO)
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }

    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
