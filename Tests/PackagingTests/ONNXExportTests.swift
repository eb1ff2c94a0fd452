import Foundation
import XCTest
@testable import Packaging
import Learn
import Tabular

/// Every exportable model family, on every shipped data set, run by onnxruntime (Python, a
/// reference tool only) must give runner's labels and probabilities. RUNNER_PYTHON names an
/// interpreter with onnxruntime and numpy; RUNNER_REQUIRE_PYTHON=1 turns a skip into a failure.
final class ONNXExportTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Column values as onnxruntime takes them: numbers (nil for missing) or text ("" for missing).
    private func inputs(_ table: Table, schema: InputSchema) -> [String: Any] {
        var inputs: [String: Any] = [:]
        for field in schema.fields {
            let column = table[field.name]!
            switch column.storage {
            case .numeric(let values): inputs[field.name] = values.map { $0.isNaN ? NSNull() : $0 as Any }
            case .categorical(let categorical): inputs[field.name] = (0..<column.count).map { categorical.value(at: $0) ?? "" }
            }
        }
        return inputs
    }

    func testExportsAgreeWithOnnxRuntime() throws {
        var cases: [[String: Any]] = []
        for testCase in BundleTests.classification + BundleTests.regression {
            let (features, target) = try BundleTests.load(testCase)
            for model in BundleTests.models(for: testCase.task) {
                let pipeline = try PipelineConfig(steps: BundleTests.steps, model: model).fit(features, target)
                let schema = InputSchema(training: features, columns: pipeline.inputColumns)
                let name = "\(testCase.file) \(model.typeName)"
                if !model.family.exportsToONNX {
                    XCTAssertThrowsError(try ONNXExport.export(pipeline, schema: schema, modelType: model.typeName, name: "m", producerVersion: "test")) { error in
                        XCTAssertTrue("\(error)".contains("k_neighbors has no ONNX export"), "\(error)")
                    }
                    continue
                }
                let onnx = try ONNXExport.export(pipeline, schema: schema, modelType: model.typeName, name: "m", producerVersion: "test")
                let path = folder.appendingPathComponent("\(cases.count).onnx")
                try onnx.write(to: path)
                var entry: [String: Any] = ["name": name, "model": path.path, "inputs": inputs(features, schema: schema)]
                switch try pipeline.predict(features) {
                case .values(let values):
                    entry["values"] = values
                case .classes(let labels, let probabilities):
                    entry["labels"] = labels.map { pipeline.classes![$0] }
                    let matrix = try XCTUnwrap(probabilities)
                    entry["probabilities"] = (0..<matrix.rows).map { row in (0..<matrix.columns).map { matrix[row, $0] } }
                }
                cases.append(entry)
            }
        }
        XCTAssertEqual(cases.count, 3 * 5 + 1 * 6, "every family but k-nearest neighbours, on every data set")
        // Native categorical boosting (BRANCH_MEMBER nodes) on the sets with categorical columns,
        // missing categories left missing and a share of rows given a category never seen.
        for testCase in BundleTests.classification + BundleTests.regression where testCase.file != "iris.csv" {
            let (features, target) = try BundleTests.load(testCase)
            let steps: [PreprocessingConfig] = [.impute(columns: .numeric, strategy: .median, fillValue: nil),
                                                .ordinal(columns: .categorical, categories: [:], unknownValue: -1)]
            let model = ModelConfig(HistGradientBoostingConfig(maxIterations: 30, minSamplesLeaf: 5, seed: 1, categorical: .native))
            let pipeline = try PipelineConfig(steps: steps, model: model).fit(features, target)
            guard case .boosting(let boosted) = pipeline.model else { return XCTFail("a boosting model") }
            XCTAssertTrue(boosted.trees.contains { tree in tree.categorySet.contains { $0 >= 0 } }, "\(testCase.file): categorical splits")
            XCTAssertTrue(boosted.trees.contains { tree in tree.categorySet.indices.contains { tree.categorySet[$0] >= 0 && tree.missingLeft[$0] } }
                          && boosted.trees.contains { tree in tree.categorySet.indices.contains { tree.categorySet[$0] >= 0 && !tree.missingLeft[$0] } },
                          "\(testCase.file): member sets of both kinds")
            let schema = InputSchema(training: features, columns: pipeline.inputColumns)
            let input = try Self.withUnseenCategories(features, every: 7)
            let onnx = try ONNXExport.export(pipeline, schema: schema, modelType: model.typeName, name: "m", producerVersion: "test")
            let path = folder.appendingPathComponent("\(cases.count).onnx")
            try onnx.write(to: path)
            var entry: [String: Any] = ["name": "\(testCase.file) native categorical", "model": path.path, "inputs": inputs(input, schema: schema)]
            // runner's own evaluator (the onnx_agrees model test) reads member nodes too.
            var tensors: [String: ONNXEvaluator.Tensor] = [:]
            for field in schema.fields {
                let column = try XCTUnwrap(input[field.name])
                tensors[field.name] = field.kind == .categorical
                    ? .init(shape: [input.rowCount, 1], values: .string((0..<input.rowCount).map { column.text(at: $0) ?? "" }))
                    : .init(shape: [input.rowCount, 1], values: .double(column.numericValues ?? []))
            }
            let evaluated = try ONNXEvaluator(model: onnx).run(tensors)
            switch try pipeline.predict(input) {
            case .values(let values):
                entry["values"] = values
                guard case .double(let onnxValues)? = evaluated["prediction"]?.values else { return XCTFail("no prediction output") }
                XCTAssertEqual(onnxValues.count, values.count)
                for (a, b) in zip(onnxValues, values) { XCTAssertEqual(a, b, accuracy: 1e-12) }
            case .classes(let labels, let probabilities):
                entry["labels"] = labels.map { pipeline.classes![$0] }
                let matrix = try XCTUnwrap(probabilities)
                entry["probabilities"] = (0..<matrix.rows).map { row in (0..<matrix.columns).map { matrix[row, $0] } }
                guard case .string(let onnxLabels)? = evaluated["label"]?.values else { return XCTFail("no label output") }
                XCTAssertEqual(onnxLabels, labels.map { pipeline.classes![$0] }, testCase.file)
            }
            cases.append(entry)
        }
        let casesPath = folder.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: cases).write(to: casesPath)

        let environment = ProcessInfo.processInfo.environment
        let python = environment["RUNNER_PYTHON"] ?? "python3"
        let probe = run(python, ["-c", "import onnxruntime, numpy"])
        if probe.status != 0 {
            if environment["RUNNER_REQUIRE_PYTHON"] == "1" { XCTFail("\(python) cannot import onnxruntime and numpy: \(probe.output)") }
            throw XCTSkip("\(python) with onnxruntime is not available; set RUNNER_PYTHON")
        }
        let script = BundleTests.data.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/check_onnx.py").path
        let result = run(python, [script, casesPath.path])
        print(result.output)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("\(cases.count) of \(cases.count) exports agree"), result.output)
    }

    /// `table` with every `every`-th present value of each categorical column replaced by one
    /// training never saw.
    static func withUnseenCategories(_ table: Table, every: Int) throws -> Table {
        try Table(columns: table.columns.map { column in
            guard case .categorical(let categorical) = column.storage else { return column }
            return Column(name: column.name, strings: (0..<column.count).map { row in
                let value = categorical.value(at: row)
                return value != nil && row % every == 3 ? "never seen" : value
            })
        })
    }

    func testExportIsDeterministic() throws {
        let (features, target) = try BundleTests.load(BundleTests.classification[0])
        let pipeline = try PipelineConfig(steps: BundleTests.steps, model: ModelConfig(RandomForestConfig(trees: 5, settings: TreeSettings(criterion: .gini, maxDepth: 4, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: .sqrt, balanced: false), seed: 3))).fit(features, target)
        let schema = InputSchema(training: features, columns: pipeline.inputColumns)
        XCTAssertEqual(try ONNXExport.export(pipeline, schema: schema, modelType: "random_forest", name: "m", producerVersion: "t"),
                       try ONNXExport.export(pipeline, schema: schema, modelType: "random_forest", name: "m", producerVersion: "t"))
    }

    private func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
