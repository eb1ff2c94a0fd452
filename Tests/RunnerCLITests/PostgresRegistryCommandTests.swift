import Foundation
import TestDatabases
import XCTest

/// Every registry test again with the registry in PostgreSQL (RUNNER_REGISTRY, password in the
/// URL from the environment): the same rules, two processes promoting at once serialized by
/// the database, and a server following promotions made from another machine's store.
final class PostgresRegistryCommandTests: RegistryCommandTests {
    private var database: TestDatabase!

    override func setUpWithError() throws {
        let server = try TestPostgres.server()
        database = try server.createDatabase()
        try super.setUpWithError()
        environment["RUNNER_REGISTRY"] = database.urlWithPassword
        promotingStore = ".runner-elsewhere"
    }

    override func tearDown() {
        database?.drop()
        super.tearDown()
    }

    func testTheRegistryIsTheDatabaseAndTheCommandLineTakesNoPassword() throws {
        let run = try RunnerProcess.run(["run", "exp.yaml", "--quiet", "--json", "--store", ".runner"], in: folder, environment: environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        let id = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["runID"] as? String)
        XCTAssertEqual(try RunnerProcess.run(["registry", "add", id, "--name", "shared", "--store", ".runner"], in: folder, environment: environment).status, 0)
        // Another store sees the version (the registry is the database), and so does psql's view of it.
        let elsewhere = try RunnerProcess.run(["registry", "list", "--store", ".runner-elsewhere"], in: folder, environment: environment)
        XCTAssertTrue(elsewhere.stdout.contains("shared"), elsewhere.stdout + elsewhere.stderr)
        let rows = try database.session().rows("SELECT name, version FROM runner_registry_versions")
        XCTAssertEqual(rows.count, 1)
        // The store's own index has no such model.
        var local = environment
        local["RUNNER_REGISTRY"] = nil
        XCTAssertTrue(try RunnerProcess.run(["registry", "list", "--store", ".runner"], in: folder, environment: local).stdout.contains("no registered models"))
        // --registry with a password is refused; without one it takes PGPASSWORD.
        let secret = database.server.password
        let withPassword = try RunnerProcess.run(["registry", "list", "--store", ".runner", "--registry", database.urlWithPassword], in: folder, environment: local)
        XCTAssertEqual(withPassword.status, 1)
        XCTAssertTrue(withPassword.stderr.contains("the URL holds a password"), withPassword.stderr)
        XCTAssertFalse(withPassword.stderr.contains(secret))
        local["PGPASSWORD"] = secret
        let flagged = try RunnerProcess.run(["registry", "list", "--store", ".runner", "--registry", database.url], in: folder, environment: local)
        XCTAssertTrue(flagged.stdout.contains("shared"), flagged.stdout + flagged.stderr)
        // Wrong credentials and an unreachable server: one clear line each, exit 1.
        local["PGPASSWORD"] = "wrong"
        let wrong = try RunnerProcess.run(["registry", "list", "--store", ".runner", "--registry", database.url], in: folder, environment: local)
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("error: registry \(database.url): PostgreSQL: password authentication failed"), wrong.stderr)
        let unreachable = try RunnerProcess.run(["registry", "list", "--store", ".runner", "--registry", "postgres://u@127.0.0.1:1/db"], in: folder, environment: local)
        XCTAssertEqual(unreachable.status, 1)
        XCTAssertTrue(unreachable.stderr.contains("error: registry postgres://u@127.0.0.1:1/db: cannot connect: connection refused"), unreachable.stderr)
    }
}
