import Foundation
import XCTest
import Learn
@testable import Spec

/// The published JSON Schema must say exactly what the model descriptors say: the model
/// types, and per type every parameter with its types, ranges, choices and default.
/// `scripts/update-schema` rewrites those parts of `schemas/experiment.schema.json` from the
/// descriptors (then review the diff).
final class CatalogTests: XCTestCase {
    private var schemaURL: URL { TestPaths.repository.appendingPathComponent("schemas/experiment.schema.json") }

    private func schema() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
    }

    func testSchemaSaysWhatTheDescriptorsSay() throws {
        let definitions = try XCTUnwrap(schema()["$defs"] as? [String: Any])
        let model = try XCTUnwrap(definitions["model"] as? [String: Any])
        let type = try XCTUnwrap((model["properties"] as? [String: Any])?["type"] as? [String: Any])
        // scripts/update-schema sets this to a path, writes the generated parts there and
        // merges them into the schema file.
        if let fragment = ProcessInfo.processInfo.environment["RUNNER_SCHEMA_FRAGMENT"] {
            let generated: [String: Any] = ["modelTypes": ModelSchema.typeNames, "paramsOf": ModelSchema.paramsOf]
            try JSONSerialization.data(withJSONObject: generated, options: [.sortedKeys]).write(to: URL(fileURLWithPath: fragment))
            return
        }
        XCTAssertEqual(type["enum"] as? [String], ModelSchema.typeNames, "model types")
        let committed = try XCTUnwrap(definitions["paramsOf"] as? [String: Any])
        let generated = ModelSchema.paramsOf
        XCTAssertEqual(Set(committed.keys), Set(generated.keys))
        for name in generated.keys.sorted() {
            XCTAssertEqual(committed[name] as? NSDictionary, generated[name] as? NSDictionary,
                           "\(name): the schema disagrees with the descriptor (scripts/update-schema rewrites it)")
        }
    }

    /// Every preprocessing step the decoder knows is in the schema with exactly its options.
    func testSchemaListsEveryPreprocessingStepWithItsOptions() throws {
        let definitions = try XCTUnwrap(schema()["$defs"] as? [String: Any])
        let steps = try XCTUnwrap((definitions["step"] as? [String: Any])?["properties"] as? [String: Any])
        XCTAssertEqual(Set(steps.keys), Set(PreprocessingKind.names))
        for kind in PreprocessingKind.allCases {
            let options = (steps[kind.name] as? [String: Any])?["properties"] as? [String: Any]
            XCTAssertEqual(Set(options?.keys.map { $0 } ?? []), Set(kind.options), kind.name)
        }
        XCTAssertEqual(SpecDecoder.stepKinds, PreprocessingKind.names)
        // Every choice an option offers is exactly what the decoder accepts.
        func choices(_ step: PreprocessingKind, _ option: String) -> [String]? {
            ((((steps[step.name] as? [String: Any])?["properties"] as? [String: Any])?[option] as? [String: Any])?["enum"] as? [Any])?.compactMap { $0 as? String }
        }
        XCTAssertEqual(choices(.impute, "strategy"), ImputeStrategy.allCases.map(\.rawValue))
        XCTAssertEqual(choices(.dropMissing, "axis"), PreprocessStep.DropAxis.allCases.map(\.rawValue))
        XCTAssertEqual(choices(.oneHot, "handle_unknown"), [UnknownCategoryRule.error, .ignore].map(\.rawValue))
        XCTAssertEqual(choices(.oneHot, "drop"), OneHotDrop.allCases.map(\.rawValue), "and null, scikit-learn's spelling of none")
        XCTAssertEqual(choices(.ordinal, "handle_unknown"), [UnknownCategoryRule.error, .useEncodedValue].map(\.rawValue))
        XCTAssertEqual(choices(.scale, "method"), ScaleMethod.allCases.map(\.rawValue))
    }

    func testSchemaListsEveryMetric() throws {
        let definitions = try XCTUnwrap(schema()["$defs"] as? [String: Any])
        let metrics = (definitions["metric"] as? [String: Any])?["enum"] as? [String]
        XCTAssertEqual(metrics, Metric.names)
    }

    func testDefaultsAreAcceptedByTheirOwnParameter() {
        for family in ModelFamily.all {
            for param in family.params {
                for task in family.tasks {
                    XCTAssertTrue(param.accepts(param.defaultValue(for: task)) || param.name == "criterion", "\(family.name).\(param.name)")
                }
            }
        }
    }

    /// Every family builds a configuration from its defaults alone, for every task it
    /// solves, and that configuration names the family it came from.
    func testEveryDescriptorBuildsFromItsDefaults() throws {
        for family in ModelFamily.all {
            for task in family.tasks {
                let config = try family.configuration([:], task: task, seed: 1)
                XCTAssertEqual(config.typeName, family.name)
                XCTAssertEqual(config.family.tasks, family.tasks)
                let decoded = try JSONDecoder().decode(ModelConfig.self, from: JSONEncoder().encode(config))
                XCTAssertEqual(decoded, config, "\(family.name) round-trips through its stored form")
            }
        }
        XCTAssertThrowsError(try ModelFamily.ridge.configuration(["gamma": .int(1)], task: .regression, seed: 0))
    }

    func testSuggestions() {
        XCTAssertEqual(Suggestion.closest(to: "modles", among: SpecDecoder.topLevelKeys), "models")
        XCTAssertEqual(Suggestion.closest(to: "max_dept", among: ["max_depth", "max_features"]), "max_depth")
        XCTAssertEqual(Suggestion.closest(to: "LOGISTIC_REGRESSION", among: ModelFamily.names), "logistic_regression")
        XCTAssertNil(Suggestion.closest(to: "banana", among: ModelFamily.names))
        XCTAssertEqual(Suggestion.editDistance(Array("ab"), Array("ba")), 1)
    }
}
