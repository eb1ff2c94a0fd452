import Foundation
import FuzzKit

/// runner-fuzz: mutates specs, data files and bundles and runs runner on each (see scripts/fuzz).
let usage = """
    usage: runner-fuzz [--runner PATH] [--specs N] [--data N] [--bundles N] [--seed S] [--jobs J]
                       [--time-limit SECONDS] [--seeds DIR] [--failures DIR]
           runner-fuzz --replay DIR... [--runner PATH] [--time-limit SECONDS]
           runner-fuzz --case KIND-SEED-INDEX [--failures DIR]   (one case again, written out)
    Exits 0 when no case failed, 1 when one did (written to --failures), 64 on bad arguments.
    """
var options: [String: String] = [:]
var replay: [String] = []
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let name = arguments.removeFirst()
    if name == "--help" || name == "-h" {
        print(usage)
        exit(0)
    }
    if name == "--replay" {
        while let next = arguments.first, !next.hasPrefix("--") { replay.append(arguments.removeFirst()) }
        continue
    }
    guard name.hasPrefix("--"), let value = arguments.first else {
        FileHandle.standardError.write(Data("runner-fuzz: unexpected '\(name)'\n\(usage)\n".utf8))
        exit(64)
    }
    arguments.removeFirst()
    options[String(name.dropFirst(2))] = value
}
let parsed = options
func number(_ name: String, _ fallback: Int) -> Int {
    guard let text = parsed[name] else { return fallback }
    guard let value = Int(text), value >= 0 else {
        FileHandle.standardError.write(Data("runner-fuzz: --\(name) needs a count, found '\(text)'\n".utf8))
        exit(64)
    }
    return value
}
// Absolute: the cases run in their own folders.
let runnerPath = URL(fileURLWithPath: options["runner"] ?? ".build/release/runner").standardizedFileURL.path
let runner = ChildProcess(executable: runnerPath, timeLimit: Double(number("time-limit", 60)))
guard FileManager.default.isExecutableFile(atPath: runner.executable) else {
    FileHandle.standardError.write(Data("runner-fuzz: no runner binary at \(runner.executable) (build it, or pass --runner)\n".utf8))
    exit(64)
}

if !replay.isEmpty {
    var failed = 0
    let folders = replay.flatMap { path -> [String] in
        if FileManager.default.fileExists(atPath: path + "/case.json") { return [path] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
            .filter { FileManager.default.fileExists(atPath: $0 + "/case.json") }
    }
    for folder in folders {
        do {
            let failures = try FuzzCase.read(from: folder).replay(with: runner)
            for failure in failures { print("FAIL \(folder): \(failure)") }
            if !failures.isEmpty { failed += 1 }
        } catch {
            print("FAIL \(folder): cannot read the case: \(error)")
            failed += 1
        }
    }
    print("replayed \(folders.count) cases: \(failed) failed")
    exit(failed == 0 ? 0 : 1)
}

let settings = Campaign.Settings(
    seed: UInt64(number("seed", 1)),
    counts: [.spec: number("specs", 100), .data: number("data", 50), .bundle: number("bundles", 50)],
    jobs: number("jobs", ProcessInfo.processInfo.activeProcessorCount),
    seedsFolder: options["seeds"] ?? "Tests/Fixtures/fuzz/seeds",
    failuresFolder: options["failures"] ?? "fuzz-failures")
let campaign: Campaign
do {
    campaign = try Campaign(settings: settings, runner: runner)
} catch {
    FileHandle.standardError.write(Data("runner-fuzz: cannot prepare the seeds: \(error)\n".utf8))
    exit(1)
}
// One case again, from its name (kind-seed-index), written to the failures folder and replayed.
if let name = parsed["case"] {
    let parts = name.split(separator: "-")
    guard parts.count == 3, let kind = FuzzCase.Kind(rawValue: String(parts[0])), let seed = UInt64(parts[1]), let index = Int(parts[2]) else {
        FileHandle.standardError.write(Data("runner-fuzz: --case takes KIND-SEED-INDEX, such as spec-1-7\n".utf8))
        exit(64)
    }
    let rebuilt = try Campaign(settings: Campaign.Settings(seed: seed, counts: [:], jobs: 1, seedsFolder: settings.seedsFolder, failuresFolder: settings.failuresFolder), runner: runner)
    let fuzzCase = rebuilt.generate(kind, index: index)
    try fuzzCase.write(to: settings.failuresFolder + "/" + fuzzCase.name)
    let failures = try fuzzCase.replay(with: runner)
    for failure in failures { print("FAIL \(fuzzCase.name): \(failure)") }
    print("\(fuzzCase.name) (\(fuzzCase.mutations.joined(separator: "; "))) written to \(settings.failuresFolder)/\(fuzzCase.name): \(failures.isEmpty ? "passes" : "fails")")
    exit(failures.isEmpty ? 0 : 1)
}

let total = settings.counts.values.reduce(0, +)
let done = Counter()
let report = campaign.run { fuzzCase, failures in
    let count = done.increment()
    for failure in failures { FileHandle.standardOutput.write(Data("FAIL \(fuzzCase.name): \(failure)\n".utf8)) }
    if count % 250 == 0 { FileHandle.standardError.write(Data("\(count)/\(total) cases\n".utf8)) }
}
let kinds = FuzzCase.Kind.allCases.map { "\(report.cases[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
print("seed \(settings.seed): \(kinds) mutants, \(report.commands) runner commands, \(report.failures.count) failing in \(String(format: "%.0f", report.seconds)) s")
if !report.failures.isEmpty { print("failing cases written to \(settings.failuresFolder)/") }
exit(report.failures.isEmpty ? 0 : 1)

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.withLock { value += 1; return value } }
}
