import Foundation
import Hummingbird
import HummingbirdTesting
import Learn
import Monitor
import Packaging
@testable import Serve
import Tabular
import XCTest

/// Bundles made from the example data in a temporary folder, and servers over them.
enum ServeFixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let penguinsCSV = repository.appendingPathComponent("experiments/data/penguins.csv").path
    static let carsCSV = repository.appendingPathComponent("experiments/data/cars.csv").path

    static let steps: [PreprocessingConfig] = [
        .impute(columns: .numeric, strategy: .median, fillValue: nil),
        .oneHot(columns: .categorical, ignoreUnknown: false, drop: .none),
        .scale(columns: .numeric, method: .standard),
    ]

    /// Training features and target of an example file.
    static func data(_ path: String, target: String, task: LearningTask, dropping: Set<String> = []) throws -> (Table, Target) {
        let table = try TableReader.read(path: path)
        let encoded = try Target.encode(try XCTUnwrap(table[target]), task: task)
        return (table.dropping(columns: dropping.union([target])), encoded)
    }

    /// A penguins classifier (no missing values in training after `dropping` rows with any).
    static func penguins(model: ModelConfig = ModelConfig(LogisticRegressionConfig()), experiment: String = "penguins") throws -> ModelBundle {
        let (features, target) = try data(penguinsCSV, target: "species", task: .classification, dropping: ["year"])
        let pipeline = try PipelineConfig(steps: steps, model: model).fit(features, target)
        return bundle(pipeline, training: features, task: .classification, target: "species", experiment: experiment)
    }

    static func cars() throws -> ModelBundle {
        let (features, target) = try data(carsCSV, target: "miles_per_gallon", task: .regression)
        let pipeline = try PipelineConfig(steps: steps, model: ModelConfig(RidgeConfig(alpha: 1))).fit(features, target)
        return bundle(pipeline, training: features, task: .regression, target: "miles_per_gallon", experiment: "cars")
    }

    static func bundle(_ pipeline: FittedPipeline, training: Table, task: LearningTask, target: String, experiment: String) -> ModelBundle {
        let manifest = BundleManifest(
            format: BundleManifest.currentFormat, runnerVersion: "test", task: task, target: target,
            classes: pipeline.classes, modelType: "test", modelName: "m", params: [:], preprocessing: pipeline.steps.map(\.kindName),
            inputSchema: InputSchema(training: training, columns: pipeline.inputColumns), metrics: [:],
            provenance: .init(experiment: experiment, specDigest: "s", dataDigest: "d", artifacts: [:], modelDigest: "m"))
        // The training profile, as the engine's profile stage makes it (for the drift gauges).
        let prediction = try! pipeline.predict(training)
        let targetColumn: Column
        switch prediction {
        case .classes(let labels, _): targetColumn = Column(name: target, strings: labels.map { pipeline.classes![$0] })
        case .values(let values): targetColumn = Column(name: target, numeric: values)
        }
        let profile = try! Profiler.reference(training: training, schema: manifest.inputSchema, prediction: prediction, classes: pipeline.classes,
                                              target: targetColumn, task: task, settings: DriftSettings())
        return ModelBundle(manifest: manifest, pipeline: pipeline, profile: profile)
    }

    static func foundation(_ value: JSONValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .number(_, let text): return Int(text) ?? Double(text)!
        case .string(let text): return text
        case .array(let elements): return elements.map(foundation)
        case .object(let members): return Dictionary(members.map { ($0.key, foundation($0.value)) }, uniquingKeysWith: { a, _ in a })
        }
    }

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @discardableResult
    static func write(_ bundle: ModelBundle, to path: String) throws -> String {
        let temporary = path + ".tmp"
        try bundle.encoded().write(to: URL(fileURLWithPath: temporary))
        _ = rename(temporary, path)
        return path
    }

    /// A loaded server over the given bundles (name -> bundle), its access log captured.
    static func server(_ bundles: [(String, ModelBundle)], in folder: URL, configure: (inout ServeConfiguration) -> Void = { _ in }) throws -> (ModelServer, LogOutput) {
        var sources: [ModelRepository.Source] = []
        for (name, bundle) in bundles {
            let path = folder.appendingPathComponent("\(name.isEmpty ? bundle.manifest.provenance.experiment : name).bundle").path
            try write(bundle, to: path)
            sources.append(.init(name: name, path: path))
        }
        var configuration = ServeConfiguration(models: sources)
        configuration.workers = 2
        configure(&configuration)
        let output = LogOutput.capturing()
        let server = try ModelServer(configuration: configuration, logOutput: output)
        try server.loadModels()
        return (server, output)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as Foundation objects, numbers read exactly (Foundation's own JSON reader
    /// on Linux may round the last bit, and responses are compared bit for bit).
    var json: [String: Any] {
        guard let value = try? JSONParser.parse(Array(body.readableBytesView)) else { return [:] }
        return ServeFixtures.foundation(value) as? [String: Any] ?? [:]
    }
}

extension ModelServer {
    /// Runs `body` against the server's routes without a socket.
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let application = Application(responder: responder())
        try await application.test(.router, body)
    }
}
