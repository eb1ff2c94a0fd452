import Foundation
import XCTest
@testable import Packaging
import Learn
import Tabular

/// New data is checked against the bundle's input schema.
final class BundlePredictionTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-predict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func bundle(ignoreUnknown: Bool) throws -> ModelBundle {
        let (all, target) = try BundleTests.load(BundleTests.classification[0])
        let features = all.dropping(columns: ["year"])
        var steps = BundleTests.steps
        steps[2] = .oneHot(columns: .categorical, ignoreUnknown: ignoreUnknown, drop: .none)
        let pipeline = try PipelineConfig(steps: steps, model: ModelConfig(LogisticRegressionConfig())).fit(features, target)
        return BundleTests.bundle(pipeline, training: features, task: .classification, target: "species")
    }

    private func write(_ text: String) throws -> String {
        let path = folder.appendingPathComponent("new-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private let header = "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex"

    func testGoodInputPredictsAndExtraColumnsWarnOnce() throws {
        let model = try bundle(ignoreUnknown: true)
        let path = try write("id,\(header),note\n1,Biscoe,45.1,14.5,215,5000,female,x\n2,Dream,39.0,18.7,185,3650,male,y\n")
        let (table, warnings) = try BundlePrediction.readInput(path: path, schema: model.manifest.inputSchema)
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("ignoring 2 columns the model does not use: id, note"), warnings[0])
        let prediction = try BundlePrediction.predict(model, table)
        let csv = BundlePrediction.csv(prediction, classes: model.manifest.classes, probabilities: true)
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(lines[0], "prediction,proba_Adelie,proba_Chinstrap,proba_Gentoo")
        XCTAssertTrue(lines[1].hasPrefix("Gentoo,"), csv)
        XCTAssertTrue(lines[2].hasPrefix("Adelie,"), csv)
    }

    func testAMissingColumnIsNamed() throws {
        let model = try bundle(ignoreUnknown: true)
        let path = try write("island,bill_length_mm,bill_depth_mm,flipper_length_mm,sex\nBiscoe,45.1,14.5,215,female\n")
        XCTAssertThrowsError(try BundlePrediction.readInput(path: path, schema: model.manifest.inputSchema)) { error in
            XCTAssertTrue("\(error)".contains("column 'body_mass_g' is missing"), "\(error)")
        }
    }

    func testTextInANumericColumnNamesLineAndColumn() throws {
        let model = try bundle(ignoreUnknown: true)
        let path = try write("\(header)\nBiscoe,45.1,14.5,215,5000,female\nDream,long,18.7,185,3650,male\n")
        XCTAssertThrowsError(try BundlePrediction.readInput(path: path, schema: model.manifest.inputSchema)) { error in
            XCTAssertTrue("\(error)".contains("\(path):3:7"), "line 3, column 7: \(error)")
            XCTAssertTrue("\(error)".contains("bill_length_mm"), "\(error)")
        }
    }

    func testAnUnseenCategoryFollowsTheEncodersRule() throws {
        let text = "\(header)\nAtlantis,45.1,14.5,215,5000,female\n"
        let lenient = try bundle(ignoreUnknown: true)
        let (table, _) = try BundlePrediction.readInput(path: try write(text), schema: lenient.manifest.inputSchema)
        XCTAssertEqual(try BundlePrediction.predict(lenient, table).count, 1, "handle_unknown: ignore encodes it as all zeros")
        let strict = try bundle(ignoreUnknown: false)
        XCTAssertThrowsError(try BundlePrediction.predict(strict, table)) { error in
            XCTAssertTrue("\(error)".contains("input row 1, column 'island': the value 'Atlantis' was not seen in training"), "\(error)")
        }
    }

    func testNumbersInACategoricalColumnAreReadAsCategories() throws {
        let model = try bundle(ignoreUnknown: true)
        let path = try write("\(header)\n7,45.1,14.5,215,5000,female\n")
        let (table, _) = try BundlePrediction.readInput(path: path, schema: model.manifest.inputSchema)
        XCTAssertEqual(table["island"]?.kind, .categorical, "the schema's type wins over inference")
    }
}
