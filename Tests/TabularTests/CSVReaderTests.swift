import XCTest
@testable import Tabular

final class CSVReaderTests: XCTestCase {
    private func read(_ text: String, _ options: ReadOptions = ReadOptions(), path: String = "data.csv") throws(DataError) -> Table {
        try CSVReader.read(bytes: Array(text.utf8), path: path, options: options)
    }

    private func assertError(_ text: String, _ expected: String, options: ReadOptions = ReadOptions(), file: StaticString = #filePath, line: UInt = #line) {
        do {
            let table = try read(text, options)
            XCTFail("expected an error, read \(table.rowCount) rows", file: file, line: line)
        } catch {
            XCTAssertEqual(error.description, expected, file: file, line: line)
        }
    }

    func testQuotedFieldsWithCommasQuotesAndNewlines() throws {
        let table = try read("name,note\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\"\nplain,x\n")
        XCTAssertEqual(table.rowCount, 2)
        XCTAssertEqual(table["name"]?.text(at: 0), "Smith, J")
        XCTAssertEqual(table["note"]?.text(at: 0), "said \"hi\"\nthen left")
        XCTAssertEqual(table["note"]?.text(at: 1), "x")
    }

    func testCRLFAndByteOrderMark() throws {
        let table = try read("\u{FEFF}a,b\r\n1,x\r\n2,y\r\n")
        XCTAssertEqual(table.columnNames, ["a", "b"])
        XCTAssertEqual(table["a"]?.numericValues, [1, 2])
        XCTAssertEqual(table["b"]?.categoricalValues?.categories, ["x", "y"])
    }

    func testLoneCarriageReturnsEndRecords() throws {
        let table = try read("a,b\r1,2\r3,4")
        XCTAssertEqual(table["b"]?.numericValues, [2, 4])
    }

    func testMissingFileEndWithoutNewlineAndBlankLines() throws {
        let table = try read("a,b\n\n1,2\n\n3,4")
        XCTAssertEqual(table.rowCount, 2)
        XCTAssertEqual(table["a"]?.numericValues, [1, 3])
    }

    func testEmptyFieldsAndNATokensAreMissing() throws {
        let table = try read("x,c\n1,a\n,NA\nNA,\n4,b\n")
        let x = try XCTUnwrap(table["x"]?.numericValues)
        XCTAssertEqual(x[0], 1)
        XCTAssertTrue(x[1].isNaN && x[2].isNaN)
        XCTAssertEqual(table["c"]?.missingCount, 2)
        XCTAssertEqual(table["c"]?.categoricalValues?.categories, ["a", "b"])
    }

    func testCustomNAValuesReplaceTheDefaults() throws {
        let options = ReadOptions(naValues: ["?"])
        let table = try read("x,c\n1,NA\n?,b\n", options)
        XCTAssertTrue(table["x"]!.numericValues![1].isNaN)
        XCTAssertEqual(table["c"]?.categoricalValues?.categories, ["NA", "b"], "NA is a real value once the defaults are replaced")
    }

    func testTypeInference() throws {
        let table = try read("n,i,b,c,mixed\n1.5,1,true,x,1\n-2e3,2,False,y,a\n,3,,x,2\n")
        XCTAssertEqual(table.columns.map(\.kind), [.numeric, .numeric, .boolean, .categorical, .categorical])
        XCTAssertEqual(table["n"]?.numericValues?[1], -2000)
        XCTAssertEqual(table["b"]?.numericValues?[0], 1)
        XCTAssertEqual(table["b"]?.numericValues?[1], 0)
        XCTAssertEqual(table["mixed"]?.categoricalValues?.categories, ["1", "a", "2"])
    }

    func testQuotedNumbersAreNumbers() throws {
        let table = try read("a\n\"1.5\"\n\" 2 \"\n")
        XCTAssertEqual(table["a"]?.numericValues, [1.5, 2])
    }

    func testDelimiterAndTSV() throws {
        let semicolon = try read("a;b\n1,5;x\n", ReadOptions(delimiter: UInt8(ascii: ";")))
        XCTAssertEqual(semicolon["a"]?.text(at: 0), "1,5")
        let tabs = try CSVReader.read(bytes: Array("a\tb\n1\t2\n".utf8), path: "data.tsv")
        XCTAssertEqual(tabs["b"]?.numericValues, [2])
    }

    func testTypeOverrides() throws {
        let options = ReadOptions(columnKinds: ["code": .categorical, "n": .numeric])
        let table = try read("code,n\n007,1\n8,\n", options)
        XCTAssertEqual(table["code"]?.kind, .categorical)
        XCTAssertEqual(table["code"]?.categoricalValues?.categories, ["007", "8"])
        XCTAssertEqual(table["n"]?.kind, .numeric)
    }

    func testOverrideThatDoesNotFitNamesLineAndColumn() {
        assertError("a,n\n1,2\n2,two\n", "data.csv:3:3: error: column 'n' is numeric but this value is not a number",
                    options: ReadOptions(columnKinds: ["n": .numeric]))
        assertError("a\n1\n", "data.csv: error: a type is set for column 'zz', which is not in the header",
                    options: ReadOptions(columnKinds: ["zz": .numeric]))
    }

    func testRaggedRowsAreLocated() {
        assertError("a,b,c\n1,2,3\n4,5\n", "data.csv:3:4: error: row has 2 fields but the header has 3")
        assertError("a,b\n1,2\n3,4,5\n", "data.csv:3:5: error: row has more fields than the header's 2")
    }

    func testUnterminatedQuoteIsLocatedAtTheOpeningQuote() {
        assertError("a,b\n1,\"open\n2,3\n", "data.csv:2:3: error: unterminated quoted field: no closing quote before the end of the file")
    }

    func testTextAfterClosingQuote() {
        assertError("a,b\n\"x\"y,2\n", "data.csv:2:4: error: unexpected character after a closing quote (write a quote inside a quoted field as \"\")")
    }

    func testInvalidUTF8IsLocated() {
        var bytes = Array("a,b\nok,caf".utf8)
        bytes.append(0xE9)  // Latin-1 é
        bytes += Array("\n".utf8)
        XCTAssertThrowsError(try CSVReader.read(bytes: bytes, path: "latin1.csv")) { error in
            XCTAssertEqual((error as? DataError)?.description, "latin1.csv:2:7: error: invalid UTF-8 byte 0xE9; save the file as UTF-8")
        }
    }

    func testDuplicateAndEmptyHeaderNames() throws {
        assertError("a,b,a\n1,2,3\n", "data.csv:1:5: error: duplicate column name 'a' (also column 1 of the header)")
        let table = try read(",b\n1,2\n")
        XCTAssertEqual(table.columnNames, ["unnamed_1", "b"])
    }

    func testEmptyFileAndHeaderOnly() throws {
        assertError("", "data.csv: error: the file is empty: expected a header row")
        let table = try read("a,b\n")
        XCTAssertEqual(table.rowCount, 0)
        XCTAssertEqual(table.columnNames, ["a", "b"])
    }

    func testMissingFileAndDirectory() {
        XCTAssertThrowsError(try CSVReader.read(path: "/no/such/file.csv")) { error in
            XCTAssertEqual((error as? DataError)?.description, "/no/such/file.csv: error: no such file")
        }
        XCTAssertThrowsError(try CSVReader.read(path: "/tmp")) { error in
            XCTAssertEqual((error as? DataError)?.message, "is a directory, not a data file")
        }
    }

    func testResultsDoNotDependOnThreadCount() throws {
        var text = "a,b,c,d\n"
        for row in 0..<500 { text += "\(row),\(row % 7 == 0 ? "" : "v\(row % 5)"),\(Double(row) / 3),\(row % 2 == 0)\n" }
        let one = try read(text, ReadOptions(threads: 1))
        let four = try read(text, ReadOptions(threads: 4))
        XCTAssertEqual(one, four)
    }

    func testHeaderOnlyRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("header-\(UUID()).csv").path
        try "x,y\n1,2\n3\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(try CSVReader.header(path: path), ["x", "y"], "the ragged row below the header does not matter")
    }
}

/// Files above the parallel threshold take the quote-free fast path, split across threads;
/// every result must equal the careful single-threaded reading.
final class CSVFastPathTests: XCTestCase {
    private func bigCSV(rows: Int, lineEnd: String = "\n", switchTextAt: Int? = nil) -> String {
        var text = "id,x,label,late,flag\(lineEnd)"
        text.reserveCapacity(rows * 48)
        for row in 0..<rows {
            let x = row % 13 == 0 ? "NA" : String(Double(row) * 0.37 - 11)
            let late = switchTextAt.map { row >= $0 ? "t\(row % 3)" : String(row % 5) } ?? String(row % 5)
            text += "\(row),\(x),c\(row % 7),\(late),\(row % 2 == 0 ? "true" : "False")\(lineEnd)"
            if row % 1000 == 999 { text += lineEnd }  // blank lines are skipped
        }
        return text
    }

    private func read(_ text: String, threads: Int) throws -> Table {
        try CSVReader.read(bytes: Array(text.utf8), path: "big.csv", options: ReadOptions(threads: threads))
    }

    func testParallelFastPathMatchesSerialReading() throws {
        for lineEnd in ["\n", "\r\n"] {
            let text = bigCSV(rows: 60_000, lineEnd: lineEnd)
            XCTAssertGreaterThan(text.utf8.count, 1 << 20)
            let serial = try read(text, threads: 1)
            let parallel = try read(text, threads: 3)
            XCTAssertEqual(serial.columnNames, parallel.columnNames)
            for (left, right) in zip(serial.columns, parallel.columns) {
                XCTAssertTrue(left == right, "column \(left.name) differs between 1 and 3 threads")
            }
            XCTAssertEqual(serial.rowCount, 60_000)
            XCTAssertEqual(serial.columns.map(\.kind), [.numeric, .numeric, .categorical, .numeric, .boolean])
            XCTAssertEqual(serial["x"]?.missingCount, (0..<60_000).filter { $0 % 13 == 0 }.count)
            XCTAssertEqual(serial["x"]?.numericValues?[1], 0.37 - 11)
        }
    }

    func testColumnThatTurnsToTextLateIsCategoricalEverywhere() throws {
        let text = bigCSV(rows: 60_000, switchTextAt: 45_000)
        for threads in [1, 2, 4] {
            let table = try read(text, threads: threads)
            let late = try XCTUnwrap(table["late"])
            XCTAssertEqual(late.kind, .categorical, "threads \(threads)")
            XCTAssertEqual(late.text(at: 12), "2")
            XCTAssertEqual(late.text(at: 45_001), "t1")
            XCTAssertEqual(table["x"]?.kind, .numeric)
        }
    }

    func testRaggedRowDeepInABigFileIsLocated() {
        var text = bigCSV(rows: 60_000)
        text += "1,2\n"
        for threads in [1, 3] {
            XCTAssertThrowsError(try read(text, threads: threads)) { error in
                XCTAssertEqual((error as? DataError)?.message, "row has 2 fields but the header has 5", "threads \(threads)")
                XCTAssertEqual((error as? DataError)?.line, 60_062)
            }
        }
    }

    func testOverriddenTextColumnsInTheFastPath() throws {
        let text = bigCSV(rows: 60_000)
        let table = try CSVReader.read(bytes: Array(text.utf8), path: "big.csv", options: ReadOptions(columnKinds: ["id": .categorical], threads: 2))
        XCTAssertEqual(table["id"]?.kind, .categorical)
        XCTAssertEqual(table["id"]?.text(at: 59_999), "59999")
    }
}
