import Foundation
import Learn
import Packaging
import Spec
import Tabular

/// What changed between two runs (or two lock files): spec parameters, data, winner and
/// every metric with its delta, as `dvc exp diff` / `dvc metrics diff` show them.
public struct RunDiff: Codable, Sendable, Equatable {
    /// One side of the comparison as the diff needs it.
    public struct Side: Codable, Sendable, Equatable {
        /// The run id or lock path the user gave.
        public var label: String
        public var experiment: String
        public var specDigest: String
        public var dataPath: String
        public var dataDigest: String
        public var winner: String
        public var cv: [String: Double]
        public var test: [String: Double]
        /// The spec's text when it can be found (the store keeps each run's; a lock's spec
        /// sits beside it), for parameter changes.
        var specText: String?

        private enum CodingKeys: String, CodingKey {
            case label, experiment, specDigest, dataPath, dataDigest, winner, cv, test
        }

        public static func run(_ results: RunResults, label: String, store: ContentStore) -> Side {
            let text = (try? store.read(results.spec.digest)).map { String(decoding: $0, as: UTF8.self) }
            return Side(label: label, experiment: results.experiment, specDigest: results.spec.digest, dataPath: results.data.path, dataDigest: results.data.digest,
                        winner: CandidateLabel.text(model: results.best.model, params: results.best.params), cv: results.best.cv, test: results.best.test.metrics, specText: text)
        }

        public static func lock(_ lock: LockFile, path: String, store: ContentStore?) -> Side {
            let specPath = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(lock.spec.path)
            var text: String?
            if let data = FileManager.default.contents(atPath: specPath), Hashing.sha256(data) == lock.spec.digest {
                text = String(decoding: data, as: UTF8.self)
            } else if let data = try? store?.read(lock.spec.digest) {
                text = String(decoding: data, as: UTF8.self)
            }
            return Side(label: path, experiment: lock.experiment, specDigest: lock.spec.digest, dataPath: lock.data.path, dataDigest: lock.data.digest,
                        winner: CandidateLabel.text(model: lock.best.model, params: lock.best.params), cv: lock.metrics.cv, test: lock.metrics.test, specText: text)
        }
    }

    public struct Change: Codable, Sendable, Equatable {
        public var key: String
        public var before: String?
        public var after: String?
    }

    public struct MetricChange: Codable, Sendable, Equatable {
        /// "cv" (the winner's cross-validated mean) or "test".
        public var split: String
        public var metric: String
        public var before: Double?
        public var after: Double?
        public var delta: Double?
    }

    public var a: Side
    public var b: Side
    /// nil when a side's spec text could not be found (only the digests are compared).
    public var specChanges: [Change]?
    public var specChanged: Bool
    public var dataChanged: Bool
    public var winnerChanged: Bool
    public var metrics: [MetricChange]

    public init(_ a: Side, _ b: Side) {
        self.a = a
        self.b = b
        specChanged = a.specDigest != b.specDigest
        dataChanged = a.dataDigest != b.dataDigest
        winnerChanged = a.winner != b.winner
        if let first = a.specText.flatMap(SpecParameters.flatten), let second = b.specText.flatMap(SpecParameters.flatten) {
            specChanges = Set(first.keys).union(second.keys).sorted().compactMap { key in
                first[key] == second[key] ? nil : Change(key: key, before: first[key], after: second[key])
            }
        }
        var metrics: [MetricChange] = []
        for (split, before, after) in [("cv", a.cv, b.cv), ("test", a.test, b.test)] {
            for metric in Set(before.keys).union(after.keys).sorted() {
                let old = before[metric], new = after[metric]
                metrics.append(MetricChange(split: split, metric: metric, before: old, after: new, delta: old.flatMap { o in new.map { $0 - o } }))
            }
        }
        self.metrics = metrics
    }

    /// The diff as text: what changed, then every metric with its delta.
    public var text: String {
        var lines = ["a: \(a.label) (\(a.experiment))", "b: \(b.label) (\(b.experiment))", ""]
        if let specChanges {
            if specChanges.isEmpty {
                lines.append(specChanged ? "spec: same parameters (only formatting or comments differ)" : "spec: unchanged")
            } else {
                var table = TextTable(header: ["spec parameter", "a", "b"])
                for change in specChanges { table.rows.append([change.key, change.before ?? "(absent)", change.after ?? "(absent)"]) }
                lines.append(table.render())
            }
        } else {
            lines.append(specChanged ? "spec: changed (sha256 \(a.specDigest.prefix(12)) -> \(b.specDigest.prefix(12)); the texts are not available to compare)" : "spec: unchanged")
        }
        lines.append(dataChanged ? "data: changed (\(a.dataPath) sha256 \(a.dataDigest.prefix(12)) -> \(b.dataPath) \(b.dataDigest.prefix(12)))" : "data: unchanged (sha256 \(a.dataDigest.prefix(12)))")
        lines.append(winnerChanged ? "winner: \(a.winner) -> \(b.winner)" : "winner: \(a.winner) (unchanged)")
        lines.append("")
        var table = TextTable(header: ["metric", "a", "b", "delta"])
        table.rightAligned = [1, 2, 3]
        func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
        for metric in metrics {
            let delta = metric.delta.map { ($0 >= 0 ? "+" : "") + String(format: "%.4f", $0) } ?? "-"
            table.rows.append(["\(metric.split) \(metric.metric)", format(metric.before), format(metric.after), delta])
        }
        lines.append(table.render())
        return lines.joined(separator: "\n")
    }
}
