@testable import Pipelines
import XCTest
import Yams

final class YAMLTextTests: XCTestCase {
    /// Whatever a string holds, a YAML parser reads the same string back.
    func testStringsRoundTripThroughAYAMLParser() throws {
        let samples = ["main", "1/3", "true", "no", "on", "null", "~", "", " leading", "trailing ", "a: b", "- item", "#comment", "it's", "\"quoted\"",
                       "${RUNNER} run x.yaml", "$CI_COMMIT_BRANCH == \"main\"", "tab\there", "line\nbreak", "0.5", "1e3", "0x1F", "@at", "*star", "&anchor", "!tag", "%p",
                       "{x}", "[x]", "a|b", ">fold", "é", "runs-on", "always()", "Yes", "NO", "1_000", ".5", "/path/x", "x: y\nz: w", "a\n\nb"]
        let document = YAMLValue.mapping(samples.enumerated().map { YAMLEntry("k\($0.offset)", .string($0.element)) }).document()
        let parsed = try XCTUnwrap(try Yams.load(yaml: document) as? [String: Any])
        for (index, sample) in samples.enumerated() {
            XCTAssertEqual(parsed["k\(index)"] as? String, sample, "sample \(index) \(sample.debugDescription) in\n\(document)")
        }
    }

    func testNestedListsAndMappingsKeepTheirOrderAndShape() throws {
        let value: YAMLValue = .mapping([
            YAMLEntry("stages", .strings(["b", "a"])),
            YAMLEntry("job", .mapping([
                YAMLEntry("needs", []),
                YAMLEntry("parallel", .mapping([YAMLEntry("matrix", .list([.mapping([YAMLEntry("RUNNER_SHARD", .strings(["1/2", "2/2"]))])]))])),
                YAMLEntry("script", .strings(["echo one", "echo 'two'"])),
                YAMLEntry("empty", .mapping([])),
                YAMLEntry("flag", false),
                YAMLEntry("count", 3),
            ]), comments: ["a job"]),
        ])
        let text = value.document(comments: ["header"])
        XCTAssertTrue(text.hasPrefix("# header\nstages:\n- b\n- a\n# a job\njob:\n"), text)
        let parsed = try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
        XCTAssertEqual(parsed["stages"] as? [String], ["b", "a"])
        let job = try XCTUnwrap(parsed["job"] as? [String: Any])
        XCTAssertEqual((job["needs"] as? [Any])?.count, 0)
        XCTAssertEqual(job["script"] as? [String], ["echo one", "echo 'two'"])
        XCTAssertEqual(job["flag"] as? Bool, false)
        XCTAssertEqual(job["count"] as? Int, 3)
        let matrix = try XCTUnwrap(((job["parallel"] as? [String: Any])?["matrix"] as? [[String: Any]])?.first)
        XCTAssertEqual(matrix["RUNNER_SHARD"] as? [String], ["1/2", "2/2"])
        // Keys in written order.
        XCTAssertLessThan(try XCTUnwrap(text.range(of: "needs")).lowerBound, try XCTUnwrap(text.range(of: "parallel")).lowerBound)
    }
}
