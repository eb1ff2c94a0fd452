import Foundation
import XCTest
@testable import Packaging
import Learn
import Tabular

/// Format 4: a bundle whose boosting trees split on category sets says so, round-trips the
/// sets exactly, and a damaged set is refused before anything predicts with it.
final class CategorySplitBundleTests: XCTestCase {
    func testNativeCategoricalBundlesAreFormat4AndPredictTheSame() throws {
        let (features, target) = try BundleTests.load(BundleTests.classification[0])
        let steps: [PreprocessingConfig] = [.ordinal(columns: .categorical, categories: [:], unknownValue: -1)]
        let pipeline = try PipelineConfig(steps: steps, model: ModelConfig(HistGradientBoostingConfig(maxIterations: 20, minSamplesLeaf: 5, seed: 1, categorical: .native)))
            .fit(features, target)
        guard case .boosting(let model) = pipeline.model else { return XCTFail("a boosting model") }
        XCTAssertTrue(model.splitsOnCategorySets)
        let bundle = BundleTests.bundle(pipeline, training: features, task: .classification, target: BundleTests.classification[0].target)
        let bytes = try bundle.encoded()
        let loaded = try ModelBundle.decode(bytes).bundle
        XCTAssertEqual(loaded.manifest.format, BundleManifest.categorySplitsFormat)
        XCTAssertEqual(loaded.pipeline, pipeline)
        XCTAssertEqual(try loaded.pipeline.predict(features), try pipeline.predict(features))

        // A set index past the sets: refused as an invalid bundle, naming the tree.
        var damaged = pipeline
        guard case .boosting(var broken) = damaged.model, let index = broken.trees.firstIndex(where: { !$0.categorySet.isEmpty }),
              let node = broken.trees[index].categorySet.firstIndex(where: { $0 >= 0 }) else { return XCTFail("a categorical node") }
        broken.trees[index].categorySet[node] = Int32(broken.trees[index].categorySets.count)
        damaged.model = .boosting(broken)
        let bad = try BundleTests.bundle(damaged, training: features, task: .classification, target: BundleTests.classification[0].target).encoded()
        XCTAssertThrowsError(try ModelBundle.decode(bad)) { error in
            XCTAssertTrue("\(error)".contains("invalid bundle"), "\(error)")
        }

        // A numeric boosting model keeps the format earlier runners read.
        let numeric = try PipelineConfig(steps: BundleTests.steps, model: ModelConfig(HistGradientBoostingConfig(maxIterations: 5, seed: 1))).fit(features, target)
        let plain = try ModelBundle.decode(BundleTests.bundle(numeric, training: features, task: .classification, target: BundleTests.classification[0].target).encoded()).bundle
        XCTAssertEqual(plain.manifest.format, BundleManifest.currentFormat)
    }
}
