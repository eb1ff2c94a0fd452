import Foundation
import GRDB
import XCTest

/// `data.source: {sqlite: FILE, query: ...}` end to end: the same rows in a CSV and in an
/// SQLite table give bit-identical stages and models, an unchanged table is cached (whatever
/// else the database holds), an updated row reruns and `runner status` says the data changed,
/// and the database's own errors come back at the query's line in the spec.
final class DatabaseSourceCommandTests: XCTestCase {
    private var folder: URL!

    static func spec(source: String, name: String) -> String {
        """
        version: 1
        name: \(name)
        seed: 5
        data:
          source: \(source)
          target: species
          drop: [year]
        preprocess:
          - impute: {columns: numeric, strategy: mean}
          - impute: {columns: categorical, strategy: most_frequent}
          - one_hot: {columns: categorical, handle_unknown: ignore}
          - scale: {columns: numeric, method: standard}
        models:
          - {name: logreg, type: logistic_regression, params: {max_iter: 500}, grid: {C: [0.1, 1]}}
        search: {cv: 3}
        """
    }

    override func setUpWithError() throws {
        folder = try RunnerProcess.experimentFolder(spec: Self.spec(source: "data/penguins.csv", name: "fromcsv"))
        // The CSV's rows in a typed table: NA becomes NULL, numbers REAL, the year INTEGER.
        let lines = try String(contentsOf: folder.appendingPathComponent("data/penguins.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("data/shop.db").path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE penguins (island TEXT, bill_length_mm REAL, bill_depth_mm REAL, flipper_length_mm REAL, body_mass_g REAL, sex TEXT, year INTEGER, species TEXT)")
            for line in lines {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                func value(_ index: Int, number: Bool) -> (any DatabaseValueConvertible)? {
                    let field = fields[index]
                    if field.isEmpty || field == "NA" { return nil }
                    return number ? Double(field)! : field
                }
                let values: [(any DatabaseValueConvertible)?] = [value(0, number: false), value(1, number: true), value(2, number: true), value(3, number: true),
                                                                 value(4, number: true), value(5, number: false), Int(fields[6])!, value(7, number: false)]
                try db.execute(sql: "INSERT INTO penguins VALUES (?, ?, ?, ?, ?, ?, ?, ?)", arguments: StatementArguments(values))
            }
        }
        try queue.close()
        try Self.spec(source: #"{sqlite: data/shop.db, query: "SELECT * FROM penguins WHERE year >= ?", params: [2007]}"#, name: "fromdb")
            .write(to: folder.appendingPathComponent("db.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func runner(_ arguments: String...) throws -> RunnerProcess.Outcome {
        try RunnerProcess.run(arguments, in: folder)
    }

    private func lock(_ name: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name))) as? [String: Any])
    }

    private func outputs(_ lock: [String: Any]) throws -> [String: String] {
        let stages = try XCTUnwrap(lock["stages"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: stages.map { ($0["name"] as! String, $0["output"] as! String) })
    }

    func testTheSameRowsFromCSVAndSQLiteGiveTheSameModel() throws {
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        let fromDB = try runner("run", "db.yaml", "--quiet")
        XCTAssertEqual(fromDB.status, 0, fromDB.stderr)
        let csv = try outputs(lock("exp.lock")), db = try outputs(lock("db.lock"))
        for stage in ["load", "split", "refit", "evaluate", "diagnose"] {
            XCTAssertEqual(csv[stage], db[stage], "\(stage) differs between the CSV and the SQLite table")
        }
        let source = try XCTUnwrap(lock("db.lock")["data"] as? [String: Any])
        XCTAssertEqual(source["kind"] as? String, "sqlite")
        XCTAssertEqual(source["path"] as? String, "data/shop.db")

        // Unchanged rows, other tables touched: everything cached.
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("data/shop.db").path)
        try queue.write { try $0.execute(sql: "CREATE TABLE audit (x INTEGER); INSERT INTO audit VALUES (1)") }
        let cached = try runner("run", "db.yaml")
        XCTAssertTrue(cached.stdout.contains("(0 ran, "), cached.stdout)
        // One row updated: status names the data, the run recomputes from load.
        try queue.write { try $0.execute(sql: "UPDATE penguins SET body_mass_g = 3751 WHERE rowid = 1") }
        try queue.close()
        let status = try runner("status", "db.yaml")
        XCTAssertTrue(status.stdout.contains("input changed: data: load"), status.stdout)
        XCTAssertTrue(status.stdout.contains("the data changed since db.lock was written"), status.stdout + status.stderr)
        let rerun = try runner("run", "db.yaml", "--quiet", "--json")
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertNotEqual(try outputs(lock("db.lock"))["load"], db["load"])
    }

    func testPredictReadsAQueryAndWritesATableInOneTransaction() throws {
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        let fromFile = try runner("predict", "out/fromcsv/model.bundle", "data/penguins.csv")
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        let fromQuery = try runner("predict", "out/fromcsv/model.bundle", "--sqlite", "data/shop.db", "--query", "SELECT * FROM penguins")
        XCTAssertEqual(fromQuery.stdout, fromFile.stdout, "the same rows predict the same")
        let into = try runner("predict", "out/fromcsv/model.bundle", "--sqlite", "data/shop.db", "--query", "SELECT rowid AS id, * FROM penguins WHERE year = ?",
                              "--param", "2008", "--into", "predictions", "--key", "id", "--proba")
        XCTAssertEqual(into.status, 0, into.stderr)
        XCTAssertTrue(into.stdout.contains("114 predictions written to table 'predictions'"), into.stdout)
        let path = folder.appendingPathComponent("data/shop.db").path
        let queue = try DatabaseQueue(path: path)
        let (count, columns, first) = try queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM predictions")!, try db.columns(in: "predictions").map(\.name),
             try Row.fetchOne(db, sql: "SELECT p.id, p.prediction FROM predictions p ORDER BY p.row LIMIT 1")!)
        }
        XCTAssertEqual(count, 114)
        XCTAssertEqual(columns, ["row", "id", "prediction", "proba_Adelie", "proba_Chinstrap", "proba_Gentoo"])
        let id: Int = first["id"], label: String = first["prediction"]
        let expected = fromFile.stdout.split(separator: "\n").map(String.init)[id]
        XCTAssertEqual(label, expected, "row \(id)'s prediction")
        // A table that cannot take the rows: an error, and nothing written.
        try queue.write { try $0.execute(sql: "CREATE TABLE taken (other TEXT)") }
        try queue.close()
        let refused = try runner("predict", "out/fromcsv/model.bundle", "--sqlite", "data/shop.db", "--query", "SELECT * FROM penguins", "--into", "taken")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("table 'taken' exists without the columns 'row', 'prediction'"), refused.stderr)
        let rows = try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM taken") }
        XCTAssertEqual(rows, 0)
        let misuse = try runner("predict", "out/fromcsv/model.bundle", "data/penguins.csv", "--into", "x")
        XCTAssertEqual(misuse.status, 64)
    }

    func testDatabaseErrorsAreLocatedAtTheQuery() throws {
        let cases = [
            ("SELEC * FROM penguins", #"db.yaml:5:41: error: data.source: data/shop.db: the query does not run: near "SELEC": syntax error"#),
            ("SELECT * FROM pengwins", "db.yaml:5:41: error: data.source: data/shop.db: the query does not run: no such table: pengwins"),
            ("DELETE FROM penguins", "db.yaml:5:41: error: data.source: data/shop.db: the query would change the database"),
        ]
        for (query, expected) in cases {
            try Self.spec(source: "{sqlite: data/shop.db, query: \"\(query)\"}", name: "bad").write(to: folder.appendingPathComponent("db.yaml"), atomically: true, encoding: .utf8)
            let outcome = try runner("validate", "db.yaml")
            XCTAssertEqual(outcome.status, 2, query)
            XCTAssertTrue(outcome.stderr.contains(expected), "\(query): \(outcome.stderr)")
        }
        try Self.spec(source: "{sqlite: data/shop.db, query: \"SELECT 1\", delimiter: \";\"}", name: "bad").write(to: folder.appendingPathComponent("db.yaml"), atomically: true, encoding: .utf8)
        let unknown = try runner("validate", "db.yaml")
        XCTAssertTrue(unknown.stderr.contains("unknown key 'delimiter' in 'data.source'"), unknown.stderr)
        let count = try DatabaseQueue(path: folder.appendingPathComponent("data/shop.db").path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM penguins") }
        XCTAssertEqual(count, 344, "the DELETE never ran")
    }
}
