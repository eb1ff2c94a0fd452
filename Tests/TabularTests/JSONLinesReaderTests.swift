import XCTest
@testable import Tabular

final class JSONLinesReaderTests: XCTestCase {
    private func read(_ text: String, _ options: ReadOptions = ReadOptions()) throws -> Table {
        try JSONLinesReader.read(bytes: Array(text.utf8), path: "rows.jsonl", options: options)
    }

    func testFlatRecordsWithMissingKeysAndNulls() throws {
        let table = try read("""
            {"x": 1.5, "name": "a\\"b", "ok": true}
            {"x": null, "name": "caf\\u00e9", "extra": 3}

            {"name": "NA", "ok": false, "x": -2}
            """)
        XCTAssertEqual(table.columnNames, ["x", "name", "ok", "extra"])
        XCTAssertEqual(table["x"]?.kind, .numeric)
        XCTAssertTrue(table["x"]!.numericValues![1].isNaN)
        XCTAssertEqual(table["x"]?.numericValues?[2], -2)
        XCTAssertEqual(table["name"]?.text(at: 0), "a\"b")
        XCTAssertEqual(table["name"]?.text(at: 1), "café")
        XCTAssertNil(table["name"]?.text(at: 2), "NA is missing by default")
        XCTAssertEqual(table["ok"]?.kind, .boolean)
        XCTAssertTrue(table["ok"]!.isMissing(at: 1))
        XCTAssertEqual(table["extra"]?.missingCount, 2)
    }

    func testErrorsAreLocated() {
        let cases: [(String, String)] = [
            ("{\"a\": 1}\n{\"a\": [1, 2]}\n", "rows.jsonl:2:7: error: value of 'a' is a nested array; only flat records are supported"),
            ("{\"a\": 1}\n{\"a\": nope}\n", "rows.jsonl:2:7: error: value of 'a' is not valid JSON (strings need double quotes)"),
            ("{\"a\": 1, \"a\": 2}\n", "rows.jsonl:1:10: error: duplicate key 'a'"),
            ("{\"a\": 1}\n{\"a\": 1.2.3}\n", "rows.jsonl:2:7: error: value of 'a' is not a valid JSON number: 1.2.3"),
            ("{\"a\": -inf}\n", "rows.jsonl:1:7: error: value of 'a' is not valid JSON (strings need double quotes)"),
            ("{\"a\": -nan}\n", "rows.jsonl:1:7: error: value of 'a' is not valid JSON (strings need double quotes)"),
            ("{\"a\": \"open}\n", "rows.jsonl:1:7: error: unterminated string"),
            ("[1]\n", "rows.jsonl:1:1: error: expected a JSON object ('{') at the start of the line"),
            ("{\"a\": 1} {\"a\": 2}\n", "rows.jsonl:1:10: error: unexpected text after the object; JSON Lines holds one object per line"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try read(text), expected) { error in
                XCTAssertEqual((error as? DataError)?.description, expected)
            }
        }
    }

    /// A number beyond Double's range is infinite, as in the CSV reader and Python's json.
    func testNumbersBeyondDoubleRangeAreInfinite() throws {
        let table = try read("{\"a\": 1e400}\n{\"a\": -1e400}\n{\"a\": 2}\n")
        XCTAssertEqual(table["a"]?.numericValues, [.infinity, -.infinity, 2])
    }

    func testOverridesAndMixedColumns() throws {
        let table = try read("{\"id\": 7, \"v\": \"3\"}\n{\"id\": 8, \"v\": 4}\n", ReadOptions(columnKinds: ["id": .categorical, "v": .numeric]))
        XCTAssertEqual(table["id"]?.categoricalValues?.categories, ["7", "8"])
        XCTAssertEqual(table["v"]?.numericValues, [3, 4])
        XCTAssertThrowsError(try read("{\"v\": \"x\"}\n", ReadOptions(columnKinds: ["v": .numeric]))) { error in
            XCTAssertEqual((error as? DataError)?.description, "rows.jsonl:1:7: error: column 'v' is numeric but this value is not a number")
        }
    }

    func testTableReaderPicksTheFormatByExtension() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rows-\(UUID()).jsonl").path
        try "{\"a\": 1}\n{\"a\": 2}\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(try TableReader.read(path: path)["a"]?.numericValues, [1, 2])
    }
}
