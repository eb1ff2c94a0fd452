import XCTest
@testable import Tabular

final class TableTests: XCTestCase {
    func testRejectsDuplicateNamesAndRaggedColumns() {
        XCTAssertThrowsError(try Table(columns: [Column(name: "a", numeric: [1]), Column(name: "a", numeric: [2])])) { error in
            XCTAssertEqual(error as? TableError, .duplicateColumn("a"))
        }
        XCTAssertThrowsError(try Table(columns: [Column(name: "a", numeric: [1]), Column(name: "b", numeric: [1, 2])])) { error in
            XCTAssertEqual((error as? TableError)?.description, "column 'b' has 2 values, expected 1")
        }
    }

    func testTakingRowsAndSelectingColumns() throws {
        let table = try Table(columns: [Column(name: "x", numeric: [1, 2, 3]), Column(name: "c", strings: ["a", nil, "b"])])
        let taken = table.taking(rows: [2, 0])
        XCTAssertEqual(taken["x"]?.numericValues, [3, 1])
        XCTAssertEqual(taken["c"]?.text(at: 0), "b")
        XCTAssertEqual(try table.selecting(columns: ["c"]).columnNames, ["c"])
        XCTAssertThrowsError(try table.selecting(columns: ["zz"]))
        XCTAssertEqual(table.dropping(columns: ["x"]).columnNames, ["c"])
    }

    func testParallelMapKeepsOrder() {
        let squares = ParallelWork.map(count: 1000, threads: 4) { $0 * $0 }
        XCTAssertEqual(squares, (0..<1000).map { $0 * $0 })
        XCTAssertEqual(ParallelWork.map(count: 0, threads: 4) { $0 }, [])
    }
}
