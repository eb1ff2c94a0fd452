import Foundation
import Tabular

/// `exp.lock` beside the spec: what a run depended on and produced — spec and data digests,
/// every stage's key and output digest, the winner and its metrics. No timings, so the same
/// spec and data give the same lock on any machine; `runner verify` recomputes and compares.
public struct LockFile: Codable, Sendable, Equatable {
    public struct FileEntry: Codable, Sendable, Equatable {
        public var path: String
        public var digest: String
    }

    /// The data source: its kind ("file"; locks from before sources had kinds say nothing,
    /// which means a file), how the spec names it, and its content digest.
    public struct SourceEntry: Codable, Sendable, Equatable {
        public var kind: String?
        public var path: String
        public var digest: String
    }

    public struct StageEntry: Codable, Sendable, Equatable {
        public var name: String
        public var kind: StageKind
        public var version: Int
        public var key: String
        public var params: String
        public var inputs: [String: String]
        public var output: String
    }

    public struct Winner: Codable, Sendable, Equatable {
        public var model: String
        public var params: [String: String]
    }

    public struct Metrics: Codable, Sendable, Equatable {
        public var cv: [String: Double]
        public var test: [String: Double]
    }

    public static let currentVersion = 1
    public var lockVersion: Int
    public var runnerVersion: String
    public var experiment: String
    public var spec: FileEntry
    public var data: SourceEntry
    public var stages: [StageEntry]
    public var best: Winner
    public var metrics: Metrics

    /// `written`: the source as the spec writes it (relative paths stay relative, so the
    /// lock is the same on every machine).
    public init(results: RunResults, outcomes: [StageOutcome], source: any DataSource, written: String?) {
        lockVersion = Self.currentVersion
        runnerVersion = results.runnerVersion
        experiment = results.experiment
        spec = FileEntry(path: (results.spec.path as NSString).lastPathComponent, digest: results.spec.digest)
        data = SourceEntry(kind: source.kind, path: written ?? source.description, digest: results.data.digest)
        stages = outcomes.map { StageEntry(name: $0.name, kind: $0.kind, version: $0.kind.version, key: $0.key, params: $0.params, inputs: $0.inputs, output: $0.output) }
        best = Winner(model: results.best.model, params: results.best.params)
        metrics = Metrics(cv: results.best.cv, test: results.best.test.metrics)
    }

    /// `exp.yaml` → `exp.lock` in the same folder.
    public static func path(forSpec specPath: String) -> String {
        ((specPath as NSString).deletingPathExtension) + ".lock"
    }

    public func encoded() -> Data {
        var data = CanonicalJSON.encode(self, pretty: true)
        data.append(0x0A)
        return data
    }

    /// The lock at `path`, nil when there is none yet; a damaged lock is an error, not "none".
    public static func readIfPresent(_ path: String) throws(EngineError) -> LockFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try read(path)
    }

    public static func read(_ path: String) throws(EngineError) -> LockFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw EngineError.lock(path: path, problem: "no lock file (run `runner run` first to write it)") }
        let lock: LockFile
        do {
            lock = try CanonicalJSON.decode(LockFile.self, from: data)
        } catch {
            throw EngineError.lock(path: path, problem: "not a valid lock file (\(JSONFormat.describe(error))); rerun `runner run` to rewrite it")
        }
        guard lock.lockVersion <= currentVersion else {
            throw EngineError.lock(path: path, problem: "lock format \(lock.lockVersion) is newer than this runner reads (\(currentVersion)); upgrade runner")
        }
        return lock
    }

    /// Every difference between this (expected) lock and `actual`, as readable lines.
    public func differences(from actual: LockFile) -> [String] {
        var lines: [String] = []
        func compare(_ what: String, _ expected: String, _ found: String) {
            if expected != found { lines.append("\(what): lock has \(expected.prefix(16)), run gave \(found.prefix(16))") }
        }
        compare("spec digest", spec.digest, actual.spec.digest)
        compare("data digest", data.digest, actual.data.digest)
        let found = Dictionary(actual.stages.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let expectedNames = Set(stages.map(\.name))
        for stage in stages {
            guard let other = found[stage.name] else {
                lines.append("stage '\(stage.name)': in the lock, not in the run")
                continue
            }
            compare("stage '\(stage.name)' key", stage.key, other.key)
            compare("stage '\(stage.name)' output", stage.output, other.output)
        }
        for stage in actual.stages where !expectedNames.contains(stage.name) {
            lines.append("stage '\(stage.name)': in the run, not in the lock")
        }
        if best != actual.best {
            lines.append("best model: lock has \(best.model) \(best.params), run gave \(actual.best.model) \(actual.best.params)")
        }
        for (section, expected, other) in [("cv", metrics.cv, actual.metrics.cv), ("test", metrics.test, actual.metrics.test)] {
            for name in Set(expected.keys).union(other.keys).sorted() {
                let a = expected[name], b = other[name]
                if a?.bitPattern != b?.bitPattern && !(a?.isNaN == true && b?.isNaN == true) {
                    lines.append("\(section) \(name): lock has \(a.map { "\($0)" } ?? "nothing"), run gave \(b.map { "\($0)" } ?? "nothing")")
                }
            }
        }
        return lines
    }
}
