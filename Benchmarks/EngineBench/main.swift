// Engine benchmarks (release build; scripts/bench-engine runs them with the commands around).
//   engine-bench hash FILE [REPEATS]
//       SHA-256 of a data file through the engine's hasher; prints MB/s (median of REPEATS).
//   engine-bench overhead SPEC [REPEATS] [THREADS]
//       The same experiment two ways, alternating: the engine on a fresh store (plan, hash,
//       stages, blobs, records, results, lock, index) and the learning core called directly
//       (search, refit, test scores). Prints median seconds of each and the median of the
//       paired ratios. ENGINE_BENCH_PHASES=1 prints where each run's time went.
import Dispatch
import Engine
import Foundation
import Packaging
import Learn
import Spec
import Tabular

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func hash(_ path: String, repeats: Int) throws {
    var times: [Double] = []
    var size = 0
    for _ in 0..<repeats {
        times.append(try seconds { size = try Hashing.sha256(file: path).size })
    }
    print(String(format: "{\"bytes\": %d, \"seconds\": %.4f, \"mb_per_s\": %.0f}", size, median(times), Double(size) / 1e6 / median(times)))
}

/// The learning core alone: what the engine's stages compute, without the engine.
func direct(_ specPath: String, threads: Int) throws {
    let start = DispatchTime.now().uptimeNanoseconds
    func mark(_ what: String) {
        if ProcessInfo.processInfo.environment["ENGINE_BENCH_PHASES"] != nil {
            FileHandle.standardError.write(Data(String(format: "direct %@ at %.3f\n", what, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9).utf8))
        }
    }
    defer { mark("done") }
    let check = SpecLoader.load(path: specPath)
    mark("loaded")
    guard let experiment = check.experiment, let table = check.table, let task = check.task else { throw EngineError.planning("invalid spec") }
    let target = experiment.data.target.value
    let data = table.dropping(columns: Set(experiment.data.drop.map(\.value)))
    let features = data.dropping(columns: [target])
    let plan = try experiment.searchPlan(task: task, columns: features.columns.map { ($0.name, $0.kind) }, threads: threads)
    let encoded = try Target.encode(data[target]!, task: task)
    let split = try DataSplit.trainTest(encoded, testSize: plan.testSize, stratify: plan.stratifySplit, shuffle: plan.shuffleSplit, seed: experiment.seed)
    mark("split")
    let search = try ModelSearch.run(features: features.taking(rows: split.train), target: encoded.taking(rows: split.train), candidates: plan.candidates, settings: plan.settings)
    mark("searched")
    let best = plan.candidates[search.bestIndex].pipeline
    let fitted = try PipelineConfig(steps: best.steps, model: best.model).fit(features.taking(rows: split.train), encoded.taking(rows: split.train), context: FitContext(threads: threads))
    let prediction = try fitted.predict(features.taking(rows: split.test), threads: threads)
    for metric in plan.metrics { _ = try Scoring.score(metric, truth: encoded.taking(rows: split.test), prediction: prediction) }
    mark("evaluated")
    // The engine packages the winner (a bundle, the spec's default), so the baseline does too.
    let training = features.taking(rows: split.train)
    let manifest = BundleManifest(
        format: BundleManifest.currentFormat, runnerVersion: RunnerVersion.current, task: task, target: target, classes: fitted.classes,
        modelType: best.model.typeName, modelName: plan.candidates[search.bestIndex].model, params: plan.candidates[search.bestIndex].params,
        preprocessing: fitted.steps.map(\.kindName), inputSchema: InputSchema(training: training, columns: fitted.inputColumns), metrics: [:],
        provenance: .init(experiment: experiment.name, specDigest: "", dataDigest: "", artifacts: [:], modelDigest: ""))
    _ = try ModelBundle(manifest: manifest, pipeline: fitted).encoded()
}

func engine(_ specPath: String, threads: Int) throws {
    let store = FileManager.default.temporaryDirectory.appendingPathComponent("engine-bench-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: store) }
    var prepared: PreparedRun?
    let preparing = try seconds {
        do {
            prepared = try Session.prepare(specPath: specPath, storePath: store)
        } catch {
            throw EngineError.planning("cannot prepare \(specPath): \(error)")
        }
    }
    var outcome: (RunResults, Execution)?
    let executing = try seconds { outcome = try Session.execute(prepared!, options: ExecutionOptions(jobs: threads)) }
    let recording = try seconds { try Session.record(prepared!, outcome!.0, outcome!.1, outputFolder: store + "/out", writeLock: false) }
    if ProcessInfo.processInfo.environment["ENGINE_BENCH_PHASES"] != nil {
        let stages = outcome!.1.outcomes.map { String(format: "%@ %.3f", $0.name, $0.seconds) }.joined(separator: ", ")
        FileHandle.standardError.write(Data(String(format: "prepare %.3f execute %.3f record %.3f; %@\n", preparing, executing, recording, stages).utf8))
    }
}

func overhead(_ specPath: String, repeats: Int, threads: Int) throws {
    var engineTimes: [Double] = [], directTimes: [Double] = []
    for _ in 0..<repeats {
        directTimes.append(try seconds { try direct(specPath, threads: threads) })
        engineTimes.append(try seconds { try engine(specPath, threads: threads) })
    }
    // Paired ratios (each engine run next to a direct run) resist the machine's drift.
    let ratios = zip(engineTimes, directTimes).map { $0 / $1 }
    print(String(format: "{\"direct_s\": %.3f, \"engine_s\": %.3f, \"ratio\": %.3f, \"ratios\": [%@]}", median(directTimes), median(engineTimes), median(ratios),
                 ratios.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
}

let arguments = CommandLine.arguments
do {
    switch arguments.count > 2 ? arguments[1] : "" {
    case "hash": try hash(arguments[2], repeats: arguments.count > 3 ? Int(arguments[3]) ?? 5 : 5)
    case "overhead": try overhead(arguments[2], repeats: arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3, threads: arguments.count > 4 ? Int(arguments[4]) ?? 2 : 2)
    default:
        FileHandle.standardError.write(Data("usage: engine-bench hash FILE [REPEATS] | overhead SPEC [REPEATS] [THREADS]\n".utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
