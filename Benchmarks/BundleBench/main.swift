// Bundle benchmarks (release build; scripts/bench-bundle runs them next to scikit-learn).
//   bundle-bench make MODEL DATA TARGET OUT [THREADS]
//       Fits MODEL (random_forest: 100 trees; hist_gradient_boosting: 200 iterations, no early
//       stopping) on an 80% split (seed 42) of DATA and writes the bundle to OUT. Prints fit,
//       export (encode) seconds and the bundle's size as JSON.
//   bundle-bench load BUNDLE [REPEATS]
//       Median milliseconds to read and decode the bundle (manifest and model).
import Packaging
import Dispatch
import Foundation
import Learn
import Tabular

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func make(model name: String, data: String, target: String, out: String, threads: Int) throws {
    let table = try TableReader.read(path: data)
    let encoded = try Target.encode(table[target]!, task: .classification)
    let features = table.dropping(columns: [target])
    let split = try DataSplit.trainTest(encoded, testSize: .fraction(0.2), stratify: true, shuffle: true, seed: 42)
    let config: ModelConfig
    switch name {
    case "random_forest":
        config = ModelConfig(RandomForestConfig(trees: 100, settings: TreeSettings(criterion: .gini, maxDepth: nil, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: .sqrt, balanced: false), seed: 42))
    default:
        config = ModelConfig(HistGradientBoostingConfig(maxIterations: 200, earlyStopping: .off, seed: 42))
    }
    let training = features.taking(rows: split.train)
    var pipeline: FittedPipeline?
    let fit = try seconds { pipeline = try PipelineConfig(steps: [], model: config).fit(training, encoded.taking(rows: split.train), context: FitContext(threads: threads)) }
    let manifest = BundleManifest(
        format: BundleManifest.currentFormat, runnerVersion: "bench", task: .classification, target: target, classes: pipeline!.classes,
        modelType: name, modelName: name, params: [:], preprocessing: [], inputSchema: InputSchema(training: training, columns: pipeline!.inputColumns),
        metrics: [:], provenance: .init(experiment: "bench", specDigest: "", dataDigest: "", artifacts: [:], modelDigest: ""))
    var bytes = Data()
    let export = try seconds { bytes = try ModelBundle(manifest: manifest, pipeline: pipeline!).encoded() }
    try bytes.write(to: URL(fileURLWithPath: out))
    print(String(format: "{\"fit_s\": %.3f, \"export_s\": %.4f, \"bytes\": %d}", fit, export, bytes.count))
}

func load(_ path: String, repeats: Int) throws {
    var times: [Double] = [], checks: [Double] = []
    for _ in 0..<repeats {
        var bundle: ModelBundle?
        times.append(try seconds {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            bundle = try ModelBundle.decode(data).bundle
        })
        // The structural validation that decode runs, timed on its own.
        checks.append(seconds { _ = bundle!.pipeline.structuralProblem })
    }
    print(String(format: "{\"load_ms\": %.2f, \"validate_ms\": %.3f}", times.sorted()[times.count / 2] * 1000, checks.sorted()[checks.count / 2] * 1000))
}

let arguments = CommandLine.arguments
do {
    switch arguments.count > 2 ? arguments[1] : "" {
    case "make" where arguments.count >= 6:
        try make(model: arguments[2], data: arguments[3], target: arguments[4], out: arguments[5], threads: arguments.count > 6 ? Int(arguments[6]) ?? 2 : 2)
    case "load":
        try load(arguments[2], repeats: arguments.count > 3 ? Int(arguments[3]) ?? 11 : 11)
    default:
        FileHandle.standardError.write(Data("usage: bundle-bench make MODEL DATA TARGET OUT [THREADS] | load BUNDLE [REPEATS]\n".utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
