import Foundation
import DatabaseSources
import PostgresNIO
import TestDatabases
import XCTest

/// `data.source: {postgres: ..., query: ...}` end to end against a real server: the same rows
/// in a CSV and a PostgreSQL table give bit-identical stages and models, an unchanged table is
/// cached, an updated row reruns and `runner status` says the data changed, the database's
/// errors come back at the query's line, and the password appears in no output and no file.
final class PostgresSourceCommandTests: XCTestCase {
    private var folder: URL!
    private var server: TestPostgres!
    private var database: TestDatabase!

    override func setUpWithError() throws {
        server = try TestPostgres.server()
        database = try server.createDatabase()
        folder = try RunnerProcess.experimentFolder(spec: DatabaseSourceCommandTests.spec(source: "data/penguins.csv", name: "fromcsv"))
        try database.load(csv: folder.appendingPathComponent("data/penguins.csv").path, into: "penguins",
                          types: ["text", "double precision", "double precision", "double precision", "double precision", "text", "integer", "text"])
        try DatabaseSourceCommandTests.spec(source: #"{postgres: {url_env: DATABASE_URL}, query: "SELECT * FROM penguins WHERE year >= $1 ORDER BY ctid", params: [2007]}"#, name: "frompg")
            .write(to: folder.appendingPathComponent("pg.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        database?.drop()
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    private var environment: [String: String] { ["DATABASE_URL": database.urlWithPassword] }

    private func runner(_ arguments: String...) throws -> RunnerProcess.Outcome {
        let outcome = try RunnerProcess.run(arguments, in: folder, environment: environment)
        XCTAssertFalse((outcome.stdout + outcome.stderr).contains(server.password), "the password in the output of \(arguments)")
        return outcome
    }

    private func lock(_ name: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name))) as? [String: Any])
    }

    private func outputs(_ lock: [String: Any]) throws -> [String: String] {
        let stages = try XCTUnwrap(lock["stages"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: stages.map { ($0["name"] as! String, $0["output"] as! String) })
    }

    /// No file the runs wrote (store, lock, bundle, results) holds the password.
    private func assertNoFileHoldsThePassword() throws {
        let secret = Data(server.password.utf8)
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])!
        var checked = 0
        for case let file as URL in files where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            XCTAssertNil(try Data(contentsOf: file).range(of: secret), "\(file.path) holds the password")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
    }

    func testTheSameRowsFromCSVAndPostgreSQLGiveTheSameModel() throws {
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        let fromDB = try runner("run", "pg.yaml", "--quiet")
        XCTAssertEqual(fromDB.status, 0, fromDB.stderr)
        let csv = try outputs(lock("exp.lock")), db = try outputs(lock("pg.lock"))
        for stage in ["load", "split", "refit", "evaluate", "diagnose"] {
            XCTAssertEqual(csv[stage], db[stage], "\(stage) differs between the CSV and the PostgreSQL table")
        }
        let source = try XCTUnwrap(lock("pg.lock")["data"] as? [String: Any])
        XCTAssertEqual(source["kind"] as? String, "postgres")
        XCTAssertEqual(source["path"] as? String, "postgres (URL in $DATABASE_URL)")

        // Unchanged rows, another table written: everything cached.
        let session = try database.session()
        try session.execute("CREATE TABLE audit AS SELECT 1 AS x")
        let cached = try runner("run", "pg.yaml")
        XCTAssertTrue(cached.stdout.contains("(0 ran, "), cached.stdout)
        // One row updated: status names the data, the run recomputes from load.
        try session.execute("UPDATE penguins SET body_mass_g = 3751 WHERE ctid = (SELECT min(ctid) FROM penguins)")
        let status = try runner("status", "pg.yaml")
        XCTAssertTrue(status.stdout.contains("input changed: data: load"), status.stdout)
        XCTAssertTrue(status.stdout.contains("the data changed since pg.lock was written"), status.stdout + status.stderr)
        let rerun = try runner("run", "pg.yaml", "--quiet")
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertNotEqual(try outputs(lock("pg.lock"))["load"], db["load"])
        XCTAssertEqual(try runner("verify", "pg.yaml", "--quiet").status, 0, "the lock reproduces from the table")
        try assertNoFileHoldsThePassword()
    }

    func testDatabaseErrorsAreLocatedAtTheQueryAndNeverShowThePassword() throws {
        let shown = "postgres://\(server.user)@\(server.host):\(server.port)/\(database.name)"
        let cases = [
            ("SELEC * FROM penguins", "pg.yaml:5:54: error: data.source: \(shown): PostgreSQL: syntax error at or near \"SELEC\" (SQLSTATE 42601) at query line 1, column 1"),
            ("SELECT * FROM pengwins", "pg.yaml:5:54: error: data.source: \(shown): PostgreSQL: relation \"pengwins\" does not exist (SQLSTATE 42P01) at query line 1, column 15"),
            ("SELECT *, 'x'::bytea AS raw FROM penguins", "pg.yaml:5:54: error: data.source: \(shown): column 'raw' has PostgreSQL type BYTEA, which runner cannot map"),
        ]
        for (query, expected) in cases {
            try DatabaseSourceCommandTests.spec(source: "{postgres: {url_env: DATABASE_URL}, query: \"\(query)\"}", name: "bad")
                .write(to: folder.appendingPathComponent("pg.yaml"), atomically: true, encoding: .utf8)
            let outcome = try runner("validate", "pg.yaml")
            XCTAssertEqual(outcome.status, 2, query)
            XCTAssertTrue(outcome.stderr.contains(expected), "\(query): \(outcome.stderr)")
        }
        // Wrong credentials, from the environment.
        let wrong = try RunnerProcess.run(["validate", "pg.yaml"], in: folder,
                                          environment: ["DATABASE_URL": "postgres://\(server.user):wrong-secret-42@\(server.host):\(server.port)/\(database.name)"])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertTrue(wrong.stderr.contains("password authentication failed for user \"\(server.user)\" (SQLSTATE 28P01)"), wrong.stderr)
        XCTAssertFalse(wrong.stderr.contains("wrong-secret-42"))
        // The variable unset, a password written in the spec, an unreachable server.
        let unset = try RunnerProcess.run(["validate", "pg.yaml"], in: folder, environment: ["DATABASE_URL": ""])
        XCTAssertTrue(unset.stderr.contains("pg.yaml:5:32: error: data.source.postgres.url_env: the environment variable DATABASE_URL is not set"), unset.stderr)
        try DatabaseSourceCommandTests.spec(source: #"{postgres: {url: "postgres://u:hunter2@localhost/db"}, query: "SELECT 1"}"#, name: "bad")
            .write(to: folder.appendingPathComponent("pg.yaml"), atomically: true, encoding: .utf8)
        let written = try runner("validate", "pg.yaml")
        XCTAssertTrue(written.stderr.contains("pg.yaml:5:28: error: data.source.postgres: the URL holds a password; keep it out of specs and command lines"), written.stderr)
        XCTAssertFalse(written.stderr.contains("hunter2"))
        try DatabaseSourceCommandTests.spec(source: #"{postgres: {url: "postgres://u@127.0.0.1:1/db?connect_timeout=2"}, query: "SELECT 1"}"#, name: "bad")
            .write(to: folder.appendingPathComponent("pg.yaml"), atomically: true, encoding: .utf8)
        let unreachable = try runner("run", "pg.yaml")
        XCTAssertEqual(unreachable.status, 2)
        XCTAssertTrue(unreachable.stderr.contains("error: data.source: postgres://u@127.0.0.1:1/db: cannot connect: connection refused at 127.0.0.1:1"), unreachable.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("pg.lock").path), "no partial artifact")
    }

    func testPredictReadsAQueryAndWritesATableInOneTransaction() throws {
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        let fromFile = try runner("predict", "out/fromcsv/model.bundle", "data/penguins.csv")
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        let fromQuery = try runner("predict", "out/fromcsv/model.bundle", "--postgres-env", "DATABASE_URL", "--query", "SELECT * FROM penguins ORDER BY ctid")
        XCTAssertEqual(fromQuery.status, 0, fromQuery.stderr)
        XCTAssertEqual(fromQuery.stdout, fromFile.stdout, "the same rows predict the same")
        // --postgres with the password from a file, predictions into a new table with a key.
        try database.session().execute("ALTER TABLE penguins ADD COLUMN id serial")
        let into = try runner("predict", "out/fromcsv/model.bundle", "--postgres", database.url + "?sslmode=verify-full&sslrootcert=\(server.certificateAuthority)",
                              "--password-file", server.passwordFile, "--query", "SELECT * FROM penguins WHERE year = $1 ORDER BY id",
                              "--param", "2008", "--into", "predictions", "--key", "id", "--proba")
        XCTAssertEqual(into.status, 0, into.stderr)
        XCTAssertTrue(into.stdout.contains("114 predictions written to table 'predictions'"), into.stdout)
        let session = try database.session()
        let rows = try session.rows("SELECT p.id::bigint, p.prediction, p.\"proba_Adelie\" IS NOT NULL FROM predictions p ORDER BY p.row")
        XCTAssertEqual(rows.count, 114)
        let (id, label, hasProbability) = try rows[0].decode((Int64, String, Bool).self)
        XCTAssertEqual(label, fromFile.stdout.split(separator: "\n").map(String.init)[Int(id)], "row \(id)'s prediction")
        XCTAssertTrue(hasProbability)
        let columns = try session.rows("SELECT column_name::text FROM information_schema.columns WHERE table_name = 'predictions' ORDER BY ordinal_position")
            .map { try $0.decode(String.self) }
        XCTAssertEqual(columns, ["row", "id", "prediction", "proba_Adelie", "proba_Chinstrap", "proba_Gentoo"])
        // A table that cannot take the rows: an error, and nothing written.
        try session.execute("CREATE TABLE taken (other text)")
        let refused = try runner("predict", "out/fromcsv/model.bundle", "--postgres-env", "DATABASE_URL", "--query", "SELECT * FROM penguins", "--into", "taken")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("table 'taken' exists without the columns 'row', 'prediction'; choose another --into table; nothing was written"), refused.stderr)
        XCTAssertEqual(try session.rows("SELECT count(*) FROM taken")[0].decode(Int64.self), 0)
        let again = try runner("predict", "out/fromcsv/model.bundle", "--postgres-env", "DATABASE_URL", "--query", "SELECT * FROM penguins ORDER BY id", "--into", "predictions", "--key", "id", "--proba")
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try session.rows("SELECT count(*) FROM predictions")[0].decode(Int64.self), 114 + 344, "appended")
        let misuse = try runner("predict", "out/fromcsv/model.bundle", "--postgres", "postgres://u:secret@localhost/db", "--query", "SELECT 1")
        XCTAssertEqual(misuse.status, 1)
        XCTAssertTrue(misuse.stderr.contains("the URL holds a password; keep it out of specs and command lines"), misuse.stderr)
        XCTAssertFalse(misuse.stderr.contains("secret"))
        XCTAssertEqual(try runner("predict", "out/fromcsv/model.bundle", "--sqlite", "x.db", "--postgres-env", "DATABASE_URL", "--query", "SELECT 1").status, 64)
    }
}
