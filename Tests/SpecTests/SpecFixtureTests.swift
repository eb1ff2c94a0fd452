import Foundation
import XCTest
import Learn
@testable import Spec

/// The shipped examples are valid; every broken fixture is rejected with the diagnostic it names.
final class SpecFixtureTests: XCTestCase {
    func testEveryExampleIsValid() {
        let specs = TestPaths.specs(in: TestPaths.experiments)
        XCTAssertGreaterThanOrEqual(specs.count, 2)
        for spec in specs {
            let check = SpecLoader.load(path: spec.path)
            XCTAssertTrue(check.isValid, "\(spec.lastPathComponent): \(check.diagnostics.map(\.description))")
            XCTAssertNotNil(check.table)
            XCTAssertNotNil(check.task)
        }
    }

    func testEveryBrokenFixtureIsRejectedAtItsLocation() throws {
        let specs = TestPaths.specs(in: TestPaths.fixtures.appendingPathComponent("invalid"))
            + TestPaths.specs(in: TestPaths.fixtures.appendingPathComponent("invalid-data"))
        XCTAssertGreaterThanOrEqual(specs.count, 20)
        for spec in specs {
            let expected = try XCTUnwrap(TestPaths.expectation(of: spec), "\(spec.lastPathComponent) has no '# expect:' line")
            let check = SpecLoader.load(path: spec.path, displayPath: "spec.yaml")
            XCTAssertFalse(check.isValid, spec.lastPathComponent)
            XCTAssertNil(check.experiment, spec.lastPathComponent)
            XCTAssertTrue(check.errors.contains { $0.description.hasPrefix("spec.yaml:" + expected) },
                          "\(spec.lastPathComponent): expected \(expected), got \(check.errors.map(\.description))")
        }
    }
}
