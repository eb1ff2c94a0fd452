import Foundation
import XCTest
import Learn
@testable import Spec

/// The published JSON Schema must name exactly what the decoder accepts.
final class CatalogTests: XCTestCase {
    private func schema() throws -> [String: Any] {
        let url = TestPaths.repository.appendingPathComponent("schemas/experiment.schema.json")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    func testSchemaListsEveryModelTypeAndParameter() throws {
        let definitions = try XCTUnwrap(schema()["$defs"] as? [String: Any])
        let model = try XCTUnwrap(definitions["model"] as? [String: Any])
        let typeEnum = try XCTUnwrap(((model["properties"] as? [String: Any])?["type"] as? [String: Any])?["enum"] as? [String])
        XCTAssertEqual(typeEnum, ModelCatalog.names)
        let paramsOf = try XCTUnwrap(definitions["paramsOf"] as? [String: Any])
        for type in ModelCatalog.all {
            let entry = try XCTUnwrap(paramsOf[type.name] as? [String: Any], type.name)
            let properties = try XCTUnwrap(entry["properties"] as? [String: Any])
            for section in ["params", "grid"] {
                let names = ((properties[section] as? [String: Any])?["propertyNames"] as? [String: Any])?["enum"] as? [String]
                XCTAssertEqual(names, type.params.map(\.name), "\(type.name).\(section)")
            }
        }
    }

    func testSchemaListsEveryMetric() throws {
        let definitions = try XCTUnwrap(schema()["$defs"] as? [String: Any])
        let metrics = (definitions["metric"] as? [String: Any])?["enum"] as? [String]
        XCTAssertEqual(metrics, Metric.names)
    }

    func testDefaultsAreAcceptedByTheirOwnParameter() {
        for type in ModelCatalog.all {
            for param in type.params {
                for task in type.tasks {
                    XCTAssertTrue(param.accepts(param.defaultValue(for: task)) || param.name == "criterion", "\(type.name).\(param.name)")
                }
            }
        }
    }

    func testSuggestions() {
        XCTAssertEqual(Suggestion.closest(to: "modles", among: SpecDecoder.topLevelKeys), "models")
        XCTAssertEqual(Suggestion.closest(to: "max_dept", among: ["max_depth", "max_features"]), "max_depth")
        XCTAssertEqual(Suggestion.closest(to: "LOGISTIC_REGRESSION", among: ModelCatalog.names), "logistic_regression")
        XCTAssertNil(Suggestion.closest(to: "banana", among: ModelCatalog.names))
        XCTAssertEqual(Suggestion.editDistance(Array("ab"), Array("ba")), 1)
    }
}
