import Foundation
import XCTest
import Learn
@testable import Packaging
import Tabular

/// A bundle is untrusted input: a damaged or hand-edited one (its digests recomputed, so
/// the archive checks pass) is refused with `invalid bundle: <what>` before anything indexes
/// with it, never crashing or hanging the process that loads it.
final class BundleValidationTests: XCTestCase {
    private func fitted(_ model: ModelConfig, _ testCase: BundleTests.Case = BundleTests.classification[0]) throws -> (FittedPipeline, Table) {
        let (features, target) = try BundleTests.load(testCase)
        return (try PipelineConfig(steps: BundleTests.steps, model: model).fit(features, target), features)
    }

    /// Encodes `pipeline` (and its schema, edited by `schema`) as a bundle and reads it back.
    private func reload(_ pipeline: FittedPipeline, training: Table, schema: (inout InputSchema) -> Void = { _ in }) throws -> ModelBundle {
        var bundle = BundleTests.bundle(pipeline, training: training, task: pipeline.classes == nil ? .regression : .classification, target: "y")
        schema(&bundle.manifest.inputSchema)
        return try ModelBundle.decode(try bundle.encoded()).bundle
    }

    private func assertRefused(_ pipeline: FittedPipeline, training: Table, schema: (inout InputSchema) -> Void = { _ in }, _ expected: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try reload(pipeline, training: training, schema: schema), file: file, line: line) { error in
            guard case BundleError.invalid(let message) = error else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertTrue(message.hasPrefix("invalid bundle: "), message, file: file, line: line)
            XCTAssertTrue(message.contains(expected), "\(message) should say \(expected)", file: file, line: line)
        }
    }

    private func editTrees(_ pipeline: FittedPipeline, _ edit: (inout DecisionTree) -> Void) -> FittedPipeline {
        guard case .trees(var ensemble) = pipeline.model else { XCTFail("not a forest"); return pipeline }
        edit(&ensemble.trees[0])
        var copy = pipeline
        copy.model = .trees(ensemble)
        return copy
    }

    func testEveryFamilyOnEveryDataSetPassesValidation() throws {
        for testCase in BundleTests.classification + BundleTests.regression {
            let (features, target) = try BundleTests.load(testCase)
            for model in BundleTests.models(for: testCase.task) {
                let pipeline = try PipelineConfig(steps: BundleTests.steps, model: model).fit(features, target)
                XCTAssertNil(pipeline.structuralProblem, "\(testCase.file) \(model.typeName)")
                XCTAssertEqual(try reload(pipeline, training: features).pipeline, pipeline)
            }
        }
    }

    func testATreeFeatureIndexOutOfRangeIsRefused() throws {
        let tree = TreeSettings(criterion: .gini, maxDepth: 4)
        let (pipeline, training) = try fitted(ModelConfig(RandomForestConfig(trees: 3, settings: tree, seed: 1)))
        // Far out of range would crash; a little out of range would read the next row's values.
        for feature in [Int32(pipeline.featureNames.count), 1_000_000] {
            let edited = editTrees(pipeline) { tree in
                let split = tree.nodes.firstIndex { $0.feature >= 0 }!
                tree.nodes[split].feature = feature
            }
            assertRefused(edited, training: training, "splits on feature \(feature)")
        }
    }

    func testATreeNodePointingBackIsRefused() throws {
        let (pipeline, training) = try fitted(ModelConfig(DecisionTreeConfig(settings: TreeSettings(criterion: .gini, maxDepth: 4), seed: 1)))
        // A child pointing at an ancestor made prediction and ONNX export loop forever.
        let loop = editTrees(pipeline) { tree in
            let splits = tree.nodes.indices.filter { tree.nodes[$0].feature >= 0 }
            tree.nodes[splits.last!].left = Int32(splits[1])
        }
        assertRefused(loop, training: training, "points back")
        // Two nodes sharing a child: no loop, but not a tree either.
        let shared = editTrees(pipeline) { tree in
            let splits = tree.nodes.indices.filter { tree.nodes[$0].feature >= 0 }
            let (first, second) = (splits[1], splits[2])
            if tree.nodes[first].left < tree.nodes[second].left { tree.nodes[second].left = tree.nodes[first].left } else { tree.nodes[first].left = tree.nodes[second].left }
        }
        assertRefused(shared, training: training, "a node is shared, or unreachable")
    }

    func testBoostingTreesAreCheckedToo() throws {
        let (pipeline, training) = try fitted(ModelConfig(HistGradientBoostingConfig(maxIterations: 5, seed: 1)))
        guard case .boosting(let original) = pipeline.model else { return XCTFail() }
        var model = original
        let split = model.trees[0].features.firstIndex { $0 >= 0 }!
        model.trees[0].features[split] = 99
        var edited = pipeline
        edited.model = .boosting(model)
        assertRefused(edited, training: training, "splits on feature 99")
        model = original
        model.baseline = []
        edited.model = .boosting(model)
        assertRefused(edited, training: training, "baseline scores")
    }

    func testPreprocessingStateMustBeConsistent() throws {
        let (pipeline, training) = try fitted(ModelConfig(LogisticRegressionConfig()))
        var noScales = pipeline
        guard case .scale(let columns, let offsets, _) = noScales.steps[3] else { return XCTFail("\(noScales.steps[3])") }
        noScales.steps[3] = .scale(columns: columns, offsets: offsets, scales: [])
        assertRefused(noScales, training: training, "offsets and 0 scales")
        var duplicated = pipeline
        guard case .oneHot(var encoded, let ignore) = duplicated.steps[2] else { return XCTFail("\(duplicated.steps[2])") }
        encoded[0].categories.append(encoded[0].categories[0])
        duplicated.steps[2] = .oneHot(columns: encoded, ignoreUnknown: ignore)
        assertRefused(duplicated, training: training, "lists category '\(encoded[0].categories[0])' twice")
    }

    func testTheInputSchemaMustMatchThePipeline() throws {
        let (pipeline, training) = try fitted(ModelConfig(GaussianNBConfig()))
        assertRefused(pipeline, training: training, schema: { $0.fields.append($0.fields[0]) }, "is listed twice")
        assertRefused(pipeline, training: training, schema: { $0.fields.removeLast() }, "do not match the columns the model reads")
    }

    func testModelShapesMustMatchTheFeatures() throws {
        let (pipeline, training) = try fitted(ModelConfig(LogisticRegressionConfig()))
        guard case .linear(var model) = pipeline.model else { return XCTFail() }
        model.coefficients = Matrix(rows: model.coefficients.rows, columns: model.coefficients.columns - 1,
                                    values: Array(model.coefficients.values.prefix(model.coefficients.rows * (model.coefficients.columns - 1))))
        var edited = pipeline
        edited.model = .linear(model)
        assertRefused(edited, training: training, "coefficients per output")
        var oneClass = pipeline
        oneClass.classes = ["only"]
        XCTAssertThrowsError(try reload(oneClass, training: training))
    }

    /// Full-depth trees with thousands of nodes pass (every node is reached once).
    func testALargeForestPassesValidation() throws {
        let (pipeline, _) = try fitted(ModelConfig(RandomForestConfig(trees: 60, settings: TreeSettings(criterion: .gini), seed: 3)), BundleTests.classification[2])
        let nodes = { () -> Int in guard case .trees(let ensemble) = pipeline.model else { return 0 }; return ensemble.trees.reduce(0) { $0 + $1.nodes.count } }()
        XCTAssertGreaterThan(nodes, 5_000)
        XCTAssertNil(pipeline.structuralProblem)
    }
}
