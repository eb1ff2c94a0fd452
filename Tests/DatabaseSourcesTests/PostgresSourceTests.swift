import Foundation
import TestDatabases
import XCTest
@testable import DatabaseSources
import Tabular

/// PostgreSQL sources against a real server (scripts/postgres-test-server): every supported
/// type and NULL onto the table's types, parameters, a digest of the rows, read-only access,
/// TLS, and each bad input as a clear error that never shows the password.
final class PostgresSourceTests: XCTestCase {
    private var server: TestPostgres!
    private var database: TestDatabase!

    override func setUpWithError() throws {
        server = try TestPostgres.server()
        database = try server.createDatabase()
        let session = try database.session()
        try session.execute("""
            CREATE TABLE orders (id integer, small smallint, big bigint, amount double precision, ratio real, price numeric(16,4),
                                 region text, code varchar(8), grade char(2), paid boolean, day date, at timestamp, at_utc timestamptz,
                                 payload bytea, doc json)
            """)
        try session.execute("""
            INSERT INTO orders VALUES
              (1, 7, 9007199254740993, 9.5, 0.25, 1234.5678, 'north', 'A1', 'x', true, '2024-01-02', '2024-01-02 03:04:05.5', '2024-01-02 03:04:05+02', '\\x00ff', '{}'),
              (2, NULL, -3, NULL, NULL, -0.0001, 'south', NULL, 'yz', false, NULL, NULL, NULL, NULL, NULL),
              (3, -2, 0, 12.25, 1.5, 100000000, NULL, 'B2', NULL, NULL, '1969-12-31', '1970-01-01 00:00:00', '1970-01-01 00:00:00+00', NULL, NULL)
            """)
    }

    override func tearDown() {
        database?.drop()
    }

    private func endpoint(_ parameters: String = "", password: PostgresEndpoint.PasswordSource? = nil) throws -> PostgresEndpoint {
        try PostgresEndpoint.parse(database.url + parameters, allowPassword: false, password: password ?? .file(server.passwordFile))
    }

    private func source(_ query: String, _ parameters: [QueryParameter] = [], url: String = "") throws -> PostgresSource {
        PostgresSource(endpoint: try endpoint(url), query: query, parameters: parameters)
    }

    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch let error as DataError {
            return "\(error.path): \(error.message)"
        } catch {
            return "\(error)"
        }
    }

    func testEveryTypeAndNullMapsOntoTheTable() throws {
        let table = try source("SELECT id, small, big, amount, ratio, price, region, code, grade, paid, day, at, at_utc FROM orders ORDER BY id")
            .read(options: ReadOptions())
        XCTAssertEqual(table.columnNames, ["id", "small", "big", "amount", "ratio", "price", "region", "code", "grade", "paid", "day", "at", "at_utc"])
        for name in ["id", "small", "big", "amount", "ratio", "price", "day", "at", "at_utc"] {
            XCTAssertEqual(table[name]?.kind, .numeric, name)
        }
        XCTAssertEqual(table["id"]?.numericValues, [1, 2, 3])
        XCTAssertEqual(table["small"]?.numericValues?[0], 7)
        XCTAssertTrue(table["small"]!.numericValues![1].isNaN, "NULL is missing")
        XCTAssertEqual(table["big"]?.numericValues, [9007199254740992, -3, 0], "bigint rounds to the nearest double once")
        XCTAssertEqual(table["amount"]?.numericValues?[2], 12.25)
        XCTAssertEqual(table["ratio"]?.numericValues?[0], 0.25)
        XCTAssertEqual(table["price"]?.numericValues, [Double("1234.5678")!, Double("-0.0001")!, 1e8], "numeric through its exact decimal")
        XCTAssertEqual(table["region"]?.kind, .categorical)
        XCTAssertEqual(table["region"]?.text(at: 1), "south")
        XCTAssertNil(table["region"]?.text(at: 2))
        XCTAssertEqual(table["code"]?.text(at: 2), "B2")
        XCTAssertEqual(table["grade"]?.text(at: 0), "x ", "char(n) keeps its padding, as PostgreSQL returns it")
        XCTAssertEqual(table["paid"]?.kind, .boolean)
        XCTAssertEqual(table["paid"]?.numericValues?[0], 1)
        XCTAssertEqual(table["paid"]?.numericValues?[1], 0)
        XCTAssertTrue(table["paid"]!.numericValues![2].isNaN)
        XCTAssertEqual(table["day"]?.numericValues?[0], 19724, "days since 1970-01-01")
        XCTAssertEqual(table["day"]?.numericValues?[2], -1)
        XCTAssertEqual(table["at"]?.numericValues?[0], 1_704_164_645.5, "seconds since 1970-01-01 00:00")
        XCTAssertEqual(table["at"]?.numericValues?[2], 0)
        XCTAssertEqual(table["at_utc"]?.numericValues?[0], 1_704_157_445, "timestamptz in UTC")
    }

    func testForcedTypesParametersAndColumnNames() throws {
        let forced = try source("SELECT id, code FROM orders WHERE id >= $1 AND region IS DISTINCT FROM $2 ORDER BY id", [.integer(2), .text("south")])
        XCTAssertEqual(try forced.columnNames(), ["id", "code"])
        let table = try forced.read(options: ReadOptions(columnKinds: ["id": .categorical]))
        XCTAssertEqual(table["id"]?.kind, .categorical)
        XCTAssertEqual(table["id"]?.text(at: 0), "3")
        XCTAssertEqual(table.rowCount, 1)
        let numbers = try source("SELECT '4.5'::text AS x UNION ALL SELECT '6'").read(options: ReadOptions(columnKinds: ["x": .numeric]))
        XCTAssertEqual(numbers["x"]?.numericValues, [4.5, 6])
    }

    func testTheDigestFollowsTheRowsAndOneRunSeesOneVersion() throws {
        let query = "SELECT id, amount, region FROM orders ORDER BY id"
        let first = try source(query).identity()
        XCTAssertEqual(try source(query).identity(), first, "unchanged rows, same identity")
        try database.session().execute("CREATE TABLE audit AS SELECT 1 AS x")
        XCTAssertEqual(try source(query).identity(), first, "other tables do not matter")
        let kept = try source(query)
        _ = try kept.identity()
        try database.session().execute("UPDATE orders SET amount = 9.75 WHERE id = 1")
        XCTAssertNotEqual(try source(query).identity(), first, "an updated row changes it")
        XCTAssertEqual(try kept.identity(), first, "a source keeps the version it saw first")
        XCTAssertTrue(message { _ = try kept.read(options: ReadOptions()) }.contains("the query's rows changed while this run read them"))
        var content = Data()
        try source(query).streamContent { content.append(contentsOf: $0) }
        XCTAssertTrue(String(decoding: content, as: UTF8.self).hasPrefix("runner-postgres-rows 1\n"))
    }

    func testTLSIsVerifiedAgainstTheCertificateAuthority() throws {
        let verified = try source("SELECT ssl::text AS ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", url: "?sslmode=verify-full&sslrootcert=\(server.certificateAuthority)")
        XCTAssertEqual(try verified.read(options: ReadOptions())["ssl"]?.text(at: 0), "true")
        let unverified = try source("SELECT 1 AS one", url: "?sslmode=verify-full")
        XCTAssertTrue(message { _ = try unverified.read(options: ReadOptions()) }.contains("cannot connect: TLS"), "a certificate from an unknown CA is refused")
    }

    func testBadInputIsAClearErrorThatNeverShowsThePassword() throws {
        let shown = "postgres://\(server.user)@\(server.host):\(server.port)/\(database.name)"
        XCTAssertEqual(message { _ = try self.source("SELEC id FROM orders").read(options: ReadOptions()) },
                       "\(shown): PostgreSQL: syntax error at or near \"SELEC\" (SQLSTATE 42601) at query line 1, column 1")
        XCTAssertEqual(message { _ = try self.source("SELECT id\nFROM missing").read(options: ReadOptions()) },
                       "\(shown): PostgreSQL: relation \"missing\" does not exist (SQLSTATE 42P01) at query line 2, column 6")
        XCTAssertEqual(message { _ = try self.source("DELETE FROM orders RETURNING id").read(options: ReadOptions()) },
                       "\(shown): PostgreSQL: cannot execute DELETE in a read-only transaction (SQLSTATE 25006)")
        XCTAssertEqual(message { _ = try self.source("SELECT payload FROM orders").read(options: ReadOptions()) },
                       "\(shown): column 'payload' has PostgreSQL type BYTEA, which runner cannot map; convert it in the query (e.g. payload::text or a number) or leave it out")
        XCTAssertTrue(message { _ = try self.source("SELECT doc FROM orders").read(options: ReadOptions()) }.contains("column 'doc' has PostgreSQL type JSON"))
        XCTAssertEqual(message { _ = try self.source("SELECT id FROM orders WHERE false").read(options: ReadOptions()) }, "\(shown): the query returned no rows")
        XCTAssertTrue(message { _ = try self.source("SELECT id FROM orders WHERE id = $1").read(options: ReadOptions()) }.contains("SQLSTATE 08P01"), "a missing parameter")

        // Wrong password: the server's message, never the password.
        let secret = "not-the-password-\(UUID().uuidString)"
        setenv("RUNNER_TEST_WRONG_PASSWORD", secret, 1)
        defer { unsetenv("RUNNER_TEST_WRONG_PASSWORD") }
        let wrong = message { _ = try PostgresSource(endpoint: self.endpoint(password: .environment("RUNNER_TEST_WRONG_PASSWORD")), query: "SELECT 1").read(options: ReadOptions()) }
        XCTAssertTrue(wrong.contains("password authentication failed for user \"\(server.user)\" (SQLSTATE 28P01)"), wrong)
        XCTAssertFalse(wrong.contains(secret))
        XCTAssertEqual(message { _ = try PostgresSource(endpoint: self.endpoint(password: .environment("RUNNER_TEST_UNSET_VARIABLE")), query: "SELECT 1").identity() },
                       "\(shown): the environment variable RUNNER_TEST_UNSET_VARIABLE (the password) is not set")
        // A URL written with a password is refused and the message hides it.
        let written = message { _ = try PostgresEndpoint.parse("postgres://u:\(secret)@localhost/db", allowPassword: false) }
        XCTAssertTrue(written.contains("the URL holds a password"), written)
        XCTAssertFalse(written.contains(secret))
        XCTAssertTrue(message { _ = try PostgresEndpoint.parse("postgres://u@localhost/db?sslmode=always", allowPassword: false) }.contains("sslmode 'always' is not one of disable, prefer, require, verify-ca, verify-full"))
        XCTAssertTrue(message { _ = try PostgresEndpoint.parse("mysql://u@localhost/db", allowPassword: false) }.contains("not a PostgreSQL URL"))
    }

    func testAnUnreachableServerIsATimeoutOrRefusalNotAHang() throws {
        // A port nobody listens on: refused at once.
        let closed = try PostgresEndpoint.parse("postgres://u@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", allowPassword: false, password: .standard)
        XCTAssertTrue(message { _ = try PostgresSource(endpoint: closed, query: "SELECT 1").identity() }.contains("cannot connect: connection refused at 127.0.0.1:1"))
        // A server that accepts the connection and never answers: connect_timeout ends it.
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(silent, $0, length) } }
        XCTAssertEqual(listen(silent, 4), 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(silent, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let hanging = try PostgresEndpoint.parse("postgres://u@127.0.0.1:\(port)/db?sslmode=disable&connect_timeout=1", allowPassword: false, password: .standard)
        XCTAssertEqual(message { _ = try PostgresSource(endpoint: hanging, query: "SELECT 1").identity() },
                       "postgres://u@127.0.0.1:\(port)/db: cannot connect: no answer within 1 s (connect_timeout)")
    }
}
