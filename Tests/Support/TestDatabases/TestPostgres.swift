import DatabaseSources
import Tabular
import Foundation
import XCTest

/// The PostgreSQL server the tests use: started by `scripts/postgres-test-server` (CI does it in
/// `.ci/run`), found through RUNNER_TEST_POSTGRES_URL (no password), _PASSWORD_FILE and _CA.
/// Without it a test is skipped, except where RUNNER_REQUIRE_POSTGRES=1 (CI) makes it a failure.
public struct TestPostgres: Sendable {
    public let url: String
    public let password: String
    public let passwordFile: String
    public let certificateAuthority: String

    public static func server() throws -> TestPostgres {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["RUNNER_TEST_POSTGRES_URL"], let passwordFile = environment["RUNNER_TEST_POSTGRES_PASSWORD_FILE"],
              let certificateAuthority = environment["RUNNER_TEST_POSTGRES_CA"] else {
            let message = "no PostgreSQL test server: run scripts/postgres-test-server start DIR and export the variables it prints"
            if environment["RUNNER_REQUIRE_POSTGRES"] == "1" { throw TestPostgresFailure(message: message) }
            throw XCTSkip(message)
        }
        let password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return TestPostgres(url: url, password: password, passwordFile: passwordFile, certificateAuthority: certificateAuthority)
    }

    public var host: String { URLComponents(string: url)!.host! }
    public var port: Int { URLComponents(string: url)!.port! }
    public var user: String { URLComponents(string: url)!.user! }

    /// A new, empty database of its own for one test; drop it in tearDown.
    public func createDatabase() throws -> TestDatabase {
        let name = "runner_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try admin().execute("CREATE DATABASE \(name)")
        return TestDatabase(server: self, name: String(name))
    }

    func admin() throws -> PostgresSession {
        try PostgresSession.connect(PostgresEndpoint.parse(url + "?sslmode=disable", allowPassword: false, password: .file(passwordFile)))
    }
}

public struct TestDatabase: Sendable {
    public let server: TestPostgres
    public let name: String

    /// postgres://USER@HOST:PORT/NAME, no password.
    public var url: String { "postgres://\(server.user)@\(server.host):\(server.port)/\(name)" }
    /// With the password inside: what a DATABASE_URL environment variable holds.
    public var urlWithPassword: String { "postgres://\(server.user):\(server.password)@\(server.host):\(server.port)/\(name)" }

    public func session() throws -> PostgresSession {
        try PostgresSession.connect(PostgresEndpoint.parse(url, allowPassword: false, password: .file(server.passwordFile)))
    }

    public func drop() {
        try? server.admin().execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Creates `table` and copies a CSV's rows into it (the header names the columns; "NA" and
    /// empty fields are NULL), with the column types given.
    public func load(csv path: String, into table: String, types: [String]) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        precondition(header.count == types.count)
        let database = try session()
        try database.execute("CREATE TABLE \(table) (\(zip(header, types).map { "\"\($0)\" \($1)" }.joined(separator: ", ")))")
        let placeholders = types.indices.map { "$\($0 + 1)::text::\(types[$0])" }.joined(separator: ", ")
        try database.transaction { () throws(DataError) in
            for line in lines.dropFirst() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                try database.execute("INSERT INTO \(table) VALUES (\(placeholders))", fields.map { $0.isEmpty || $0 == "NA" ? .null : .text($0) })
            }
        }
    }
}

public struct TestPostgresFailure: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
