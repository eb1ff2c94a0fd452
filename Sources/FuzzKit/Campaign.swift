import Foundation

/// A fuzz campaign: generates mutants of the seed specs, data files and bundles, runs runner
/// on each, and keeps the failures (minimized where the input is text).
public struct Campaign: Sendable {
    public struct Settings: Sendable {
        public var seed: UInt64
        public var counts: [FuzzCase.Kind: Int]
        public var jobs: Int
        public var seedsFolder: String
        public var failuresFolder: String

        public init(seed: UInt64, counts: [FuzzCase.Kind: Int], jobs: Int, seedsFolder: String, failuresFolder: String) {
            self.seed = seed
            self.counts = counts
            self.jobs = jobs
            self.seedsFolder = seedsFolder
            self.failuresFolder = failuresFolder
        }
    }

    public struct Report: Sendable {
        public var cases: [FuzzCase.Kind: Int] = [:]
        public var commands = 0
        public var failures: [(FuzzCase, [Failure])] = []
        public var seconds = 0.0
    }

    let settings: Settings
    let runner: ChildProcess
    let seeds: Seeds

    public init(settings: Settings, runner: ChildProcess) throws {
        self.settings = settings
        self.runner = runner
        seeds = try Seeds(folder: settings.seedsFolder, runner: runner)
    }

    /// Generates and runs every case; `progress` hears each finished case (in any order).
    public func run(progress: @escaping @Sendable (FuzzCase, [Failure]) -> Void = { _, _ in }) -> Report {
        let started = Date()
        let work = FuzzCase.Kind.allCases.flatMap { kind in (0..<(settings.counts[kind] ?? 0)).map { (kind, $0) } }
        let collected = Collected()
        let threads = (0..<max(1, settings.jobs)).map { _ in
            Thread {
                while let next = collected.take(work.count) {
                    let (kind, index) = work[next]
                    let fuzzCase = self.generate(kind, index: index)
                    var failures = (try? fuzzCase.replay(with: self.runner)) ?? [Failure(command: [], reason: "the case could not be set up", stderr: "")]
                    var kept = fuzzCase
                    if !failures.isEmpty { (kept, failures) = self.minimize(fuzzCase, failures) }
                    collected.add(kept, failures, commands: fuzzCase.commands.count)
                    progress(kept, failures)
                }
                collected.finish()
            }
        }
        threads.forEach { $0.start() }
        collected.waitForAll(threads.count)
        var report = collected.report
        report.seconds = Date().timeIntervalSince(started)
        for (fuzzCase, failures) in report.failures {
            let folder = settings.failuresFolder + "/" + fuzzCase.name
            try? fuzzCase.write(to: folder)
            try? failures.map(\.description).joined(separator: "\n\n").appending("\n\n" + failures.map(\.stderr).joined(separator: "\n---\n"))
                .write(toFile: folder + "/failure.txt", atomically: true, encoding: .utf8)
        }
        return report
    }

    /// The case `index` of `kind`: the same for the same campaign seed, on any machine.
    public func generate(_ kind: FuzzCase.Kind, index: Int) -> FuzzCase {
        var draw = Draw(seed: settings.seed, kind: kind, index: index)
        switch kind {
        case .spec:
            let spec = draw.pick(seeds.specs)
            var mutator = SpecMutator(draw: draw)
            let text = mutator.mutate(String(decoding: spec.text, as: UTF8.self))
            let name = "exp." + (spec.name.hasSuffix(".json") ? "json" : "yaml")
            var files = seeds.keyFiles
            files[name] = text
            files["data.csv"] = seeds.data[spec.dataset]
            return FuzzCase(kind: .spec, seed: settings.seed, index: index, mutations: ["seed \(spec.name)"] + mutator.mutations, commands: [
                .init(["validate", name], specFile: name),
                .init(["run", name, "--json", "--quiet", "--store", "st", "--out", "out", "-j", "2"], after: 0, specFile: name, finiteOutput: true),
                .init(["predict", "out/model.bundle", "data.csv", "--proba", "--key-file", "test-only-bundle.key"], after: 1, finiteOutput: true),
            ], files: files)
        case .data:
            let jsonLines = draw.chance(0.3)
            let dataset = jsonLines ? "penguins" : draw.pick(["penguins", "cars"])
            var mutator = DataMutator(draw: draw)
            let dataName = jsonLines ? "data.jsonl" : "data.csv"
            let data = mutator.mutate(jsonLines ? seeds.jsonLines : seeds.data[dataset]!, jsonLines: jsonLines)
            let spec = seeds.specs.first { $0.dataset == dataset && $0.name.hasSuffix(".yaml") }!
            let bundle = draw.pick(seeds.bundles.filter { $0.dataset == dataset })
            let specText = String(decoding: spec.text, as: UTF8.self).replacingOccurrences(of: "data.csv", with: dataName)
            var files = seeds.keyFiles
            files[dataName] = data
            files["exp.yaml"] = Data(specText.utf8)
            files["model.bundle"] = bundle.bytes
            return FuzzCase(kind: .data, seed: settings.seed, index: index, mutations: ["seed \(dataset) \(jsonLines ? "JSON Lines" : "CSV"), spec \(spec.name), bundle \(bundle.name)"] + mutator.mutations, commands: [
                .init(["inspect", dataName]),
                .init(["inspect", "--json", dataName]),
                .init(["validate", "exp.yaml"], specFile: "exp.yaml"),
                .init(["run", "exp.yaml", "--json", "--quiet", "--store", "st", "--out", "out", "-j", "2"], after: 2, specFile: "exp.yaml", finiteOutput: true),
                .init(["predict", "model.bundle", dataName, "--proba"], finiteOutput: true),
                .init(["monitor", "model.bundle", "--data", dataName], statuses: [0, 1, 2, 3]),
            ], files: files)
        case .bundle:
            let bundle = draw.pick(seeds.bundles)
            var mutator = BundleMutator(draw: draw)
            let bytes = mutator.mutate(bundle.bytes)
            return FuzzCase(kind: .bundle, seed: settings.seed, index: index, mutations: ["seed \(bundle.name)"] + mutator.mutations, commands: [
                .init(["bundle", "inspect", "model.bundle"]),
                .init(["bundle", "inspect", "--json", "model.bundle"]),
                .init(["predict", "model.bundle", "data.csv", "--proba"], finiteOutput: true),
                .init(["bundle", "export-onnx", "model.bundle", "--out", "model.onnx"]),
                .init(["monitor", "model.bundle", "--data", "data.csv", "--json"], statuses: [0, 1, 2, 3]),
            ], files: ["model.bundle": bytes, "data.csv": seeds.data[bundle.dataset]!])
        }
    }

    /// Removes lines of the mutated text file while the same kind of failure remains.
    func minimize(_ fuzzCase: FuzzCase, _ failures: [Failure]) -> (FuzzCase, [Failure]) {
        guard fuzzCase.kind != .bundle, let target = fuzzCase.files.keys.first(where: { $0.hasPrefix(fuzzCase.kind == .spec ? "exp." : "data.") }),
              let signature = failures.first?.signature,
              // Each replay of a hang costs the whole time limit: hangs are kept as found.
              !failures.contains(where: { $0.reason.hasPrefix("timeout") }) else { return (fuzzCase, failures) }
        var lines = String(decoding: fuzzCase.files[target]!, as: UTF8.self).components(separatedBy: "\n")
        var best = (fuzzCase, failures)
        var chunk = max(1, lines.count / 2), attempts = 0
        while chunk >= 1, attempts < 150 {
            var start = 0
            while start < lines.count, attempts < 150 {
                attempts += 1
                var candidate = lines
                candidate.removeSubrange(start..<min(lines.count, start + chunk))
                var trial = fuzzCase
                trial.files[target] = Data(candidate.joined(separator: "\n").utf8)
                if let found = try? trial.replay(with: runner), found.contains(where: { $0.signature == signature }) {
                    lines = candidate
                    best = (trial, found)
                } else {
                    start += chunk
                }
            }
            if chunk == 1 { break }
            chunk /= 2
        }
        return best
    }
}

/// Thread-safe collection of results, handing out work indices.
private final class Collected: @unchecked Sendable {
    private let lock = NSCondition()
    private var next = 0
    private var finished = 0
    private(set) var report = Campaign.Report()

    func take(_ count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }

    func add(_ fuzzCase: FuzzCase, _ failures: [Failure], commands: Int) {
        lock.lock()
        report.cases[fuzzCase.kind, default: 0] += 1
        report.commands += commands
        if !failures.isEmpty { report.failures.append((fuzzCase, failures)) }
        lock.unlock()
    }

    func finish() {
        lock.lock()
        finished += 1
        lock.broadcast()
        lock.unlock()
    }

    func waitForAll(_ threads: Int) {
        lock.lock()
        while finished < threads { lock.wait() }
        lock.unlock()
    }
}

/// The seed inputs: specs and data files from the seeds folder, and one bundle per
/// `bundle-*.yaml` seed, trained by the runner under test (deterministic, so the same bytes
/// on every machine).
struct Seeds: Sendable {
    struct Spec: Sendable {
        var name: String
        var dataset: String
        var text: Data
    }

    struct Bundle: Sendable {
        var name: String
        var dataset: String
        var bytes: Data
    }

    var specs: [Spec] = []
    var data: [String: Data] = [:]
    var jsonLines: Data
    var bundles: [Bundle] = []
    var keyFiles: [String: Data] = [:]

    init(folder: String, runner: ChildProcess) throws {
        func read(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)) }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        for name in ["penguins", "cars", "noise"] { data[name] = try read(name + ".csv") }
        jsonLines = try read("penguins.jsonl")
        for name in names where name.hasPrefix("test-only-") { keyFiles[name] = try read(name) }
        for name in names where (name.hasSuffix(".yaml") || name.hasSuffix(".json")) && !name.hasPrefix("bundle-") {
            specs.append(Spec(name: name, dataset: String(name.prefix { $0 != "-" }), text: try read(name)))
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("runner-fuzz-seeds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        for name in names where name.hasPrefix("bundle-") && name.hasSuffix(".yaml") {
            let dataset = String(name.dropFirst("bundle-".count).prefix { $0 != "-" })
            try data[dataset]!.write(to: URL(fileURLWithPath: work + "/data.csv"))
            try read(name).write(to: URL(fileURLWithPath: work + "/" + name))
            let outcome = try runner.run(["run", name, "--quiet", "--store", "st", "--out", "out-\(name)"], in: work)
            guard outcome.status == 0, let bytes = FileManager.default.contents(atPath: work + "/out-\(name)/model.bundle") else {
                throw SeedError(message: "seed \(name) did not train: \(outcome.stderr)")
            }
            bundles.append(Bundle(name: name, dataset: dataset, bytes: bytes))
        }
    }
}

struct SeedError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
