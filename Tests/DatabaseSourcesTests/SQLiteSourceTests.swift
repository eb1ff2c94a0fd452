import Foundation
import GRDB
import XCTest
@testable import DatabaseSources
import Tabular

/// SQLite sources: every storage class onto the table's types, NULLs, forced types, parameters,
/// a content digest of the rows (not of the file), read-only access, and each bad input as a
/// clear error naming the database.
final class SQLiteSourceTests: XCTestCase {
    private var folder: URL!
    private var path: String { folder.appendingPathComponent("shop.db").path }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE orders (id INTEGER, amount REAL, region TEXT, paid BOOLEAN, day TEXT, note TEXT, blob BLOB);
                INSERT INTO orders VALUES (1, 9.5, 'north', 1, '2024-01-02', NULL, NULL);
                INSERT INTO orders VALUES (2, NULL, 'south', 0, '2024-01-03', 'late', NULL);
                INSERT INTO orders VALUES (3, 12.25, NULL, 1, '2024-02-01', NULL, NULL);
                INSERT INTO orders VALUES (4, 7, 'north', NULL, '2024-02-09', '12', x'00ff');
                """)
        }
        try queue.close()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func source(_ query: String, _ parameters: [QueryParameter] = []) -> SQLiteSource {
        SQLiteSource(path: path, query: query, parameters: parameters)
    }

    func testStorageClassesMapOntoTableTypes() throws {
        let table = try source("SELECT id, amount, region, paid, day, note FROM orders").read(options: ReadOptions())
        XCTAssertEqual(table.columnNames, ["id", "amount", "region", "paid", "day", "note"])
        XCTAssertEqual(table["id"]?.kind, .numeric)
        XCTAssertEqual(table["id"]?.numericValues, [1, 2, 3, 4])
        XCTAssertEqual(table["amount"]?.numericValues?[0], 9.5)
        XCTAssertTrue(table["amount"]!.numericValues![1].isNaN, "NULL is missing")
        XCTAssertEqual(table["amount"]?.numericValues?[3], 7, "an integer in a REAL column is a number")
        XCTAssertEqual(table["region"]?.kind, .categorical)
        XCTAssertNil(table["region"]?.text(at: 2))
        XCTAssertEqual(table["paid"]?.kind, .boolean, "declared BOOLEAN holding 0/1")
        XCTAssertTrue(table["paid"]!.numericValues![3].isNaN)
        XCTAssertEqual(table["day"]?.kind, .categorical, "dates stay as SQLite stores them (text)")
        XCTAssertEqual(table["day"]?.text(at: 1), "2024-01-03")
        XCTAssertEqual(table["note"]?.text(at: 3), "12")
        // A date converted in the query is a number.
        let converted = try source("SELECT julianday(day) AS day FROM orders").read(options: ReadOptions())
        XCTAssertEqual(converted["day"]?.kind, .numeric)
    }

    func testForcedTypesAndParameters() throws {
        let forced = try source("SELECT id, note FROM orders").read(options: ReadOptions(columnKinds: ["id": .categorical]))
        XCTAssertEqual(forced["id"]?.kind, .categorical)
        XCTAssertEqual(forced["id"]?.text(at: 0), "1")
        let bound = try source("SELECT id FROM orders WHERE region = ? AND amount > ?", [.text("north"), .real(8)]).read(options: ReadOptions())
        XCTAssertEqual(bound["id"]?.numericValues, [1])
        XCTAssertThrowsError(try source("SELECT id FROM orders WHERE region = ?").read(options: ReadOptions())) { error in
            XCTAssertTrue("\(error)".contains("1 placeholder(s) but the spec gives 0 param(s)"), "\(error)")
        }
    }

    func testTheDigestFollowsTheRowsNotTheFile() throws {
        func digest(_ source: SQLiteSource) throws -> Data {
            var bytes = Data()
            try source.streamContent { bytes.append(contentsOf: $0) }
            return bytes
        }
        let query = source("SELECT id, amount, region FROM orders")
        let before = try digest(query), identity = try query.identity()
        // Another table changes: the file changes, the rows do not.
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "CREATE TABLE audit (x INTEGER); INSERT INTO audit VALUES (1)") }
        XCTAssertEqual(try digest(query), before)
        XCTAssertNotEqual(try query.identity(), identity, "the file's identity changed, so the digest is recomputed")
        // One value changes: the rows' encoding changes.
        try queue.write { try $0.execute(sql: "UPDATE orders SET amount = 9.75 WHERE id = 1") }
        try queue.close()
        XCTAssertNotEqual(try digest(query), before)
        // Integer 7 and real 7.0 are different stored values.
        XCTAssertNotEqual(try digest(source("SELECT 7")), try digest(source("SELECT 7.0")))
    }

    func testBadInputIsAClearErrorAndTheDatabaseIsNeverWritten() throws {
        func message(_ source: SQLiteSource) -> String {
            do {
                _ = try source.read(options: ReadOptions())
                return "no error"
            } catch {
                return error.message
            }
        }
        XCTAssertEqual(message(source("SELEC id FROM orders")), #"the query does not run: near "SELEC": syntax error"#)
        XCTAssertEqual(message(source("SELECT id FROM missing")), "the query does not run: no such table: missing")
        XCTAssertEqual(message(source("DELETE FROM orders")), "the query would change the database; a data source only reads (use SELECT)")
        XCTAssertTrue(message(source("SELECT blob FROM orders")).hasPrefix("column 'blob' holds binary data (BLOB) in result row 4"))
        XCTAssertTrue(message(source("SELECT id FROM orders UNION ALL SELECT 'x'")).hasPrefix("column 'id' holds both numbers and text (result row 5)"))
        let absent = folder.appendingPathComponent("absent.db").path
        XCTAssertEqual(message(SQLiteSource(path: absent, query: "SELECT 1")), "no such SQLite database")
        XCTAssertFalse(FileManager.default.fileExists(atPath: absent), "reading never creates a database")
        let text = folder.appendingPathComponent("data.csv")
        try "a,b\n1,2\n".write(to: text, atomically: true, encoding: .utf8)
        XCTAssertEqual(message(SQLiteSource(path: text.path, query: "SELECT 1")), "not an SQLite database")
        XCTAssertEqual(try Data(contentsOf: text), Data("a,b\n1,2\n".utf8))
        let count = try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM orders") }
        XCTAssertEqual(count, 4, "the DELETE did not run")
    }
}
