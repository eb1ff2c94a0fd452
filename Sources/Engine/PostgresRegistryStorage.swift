import DatabaseSources
import Foundation
import PostgresNIO
import Tabular

/// The registry in a PostgreSQL database a team shares (`--registry postgres://...` or
/// RUNNER_REGISTRY): tables runner_registry_versions and runner_registry_events, created on
/// first use. Every change takes a transaction-scoped advisory lock first, so changes from any
/// number of machines are serialized like SQLite's IMMEDIATE transactions: two promotions at
/// once both happen, one after the other, and the history says in which order. The bundles
/// stay in the store (the registry holds digests).
struct PostgresRegistryStorage: RegistryStorage {
    let endpoint: PostgresEndpoint
    var location: String { endpoint.description }
    /// The advisory lock every registry change holds ("runner registry" in ASCII).
    static let lockKey: Int64 = 0x7275_6E6E_6572_7267

    init(endpoint: PostgresEndpoint) throws {
        self.endpoint = endpoint
        try write { _ in () }
    }

    private static let schema = [
        """
        CREATE TABLE IF NOT EXISTS runner_registry_versions (
          name text NOT NULL, version integer NOT NULL, bundle text NOT NULL, stage text NOT NULL,
          run_id text, spec_digest text, data_digest text, metrics text NOT NULL, tests_passed boolean,
          added_by text NOT NULL, added text NOT NULL, PRIMARY KEY (name, version))
        """,
        """
        CREATE TABLE IF NOT EXISTS runner_registry_events (
          sequence bigserial PRIMARY KEY, name text NOT NULL, version integer NOT NULL, event text NOT NULL,
          stage text, actor text NOT NULL, at text NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS runner_registry_events_name ON runner_registry_events (name, sequence)",
    ]

    func write<T>(_ body: (any RegistryTransaction) throws -> T) throws -> T {
        try transaction(lock: true, body)
    }

    func read<T>(_ body: (any RegistryTransaction) throws -> T) throws -> T {
        try transaction(lock: false, body)
    }

    private func transaction<T>(lock: Bool, _ body: (any RegistryTransaction) throws -> T) throws -> T {
        let session = try PostgresSession.connect(endpoint)
        try session.execute(lock ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            if lock {
                try session.execute("SELECT pg_advisory_xact_lock($1)", [.integer(Self.lockKey)])
                for statement in Self.schema { try session.execute(statement) }
            }
            let result = try body(Transaction(session: session))
            try session.execute("COMMIT")
            return result
        } catch {
            try? session.execute("ROLLBACK")
            throw error
        }
    }

    private struct Transaction: RegistryTransaction {
        let session: PostgresSession

        func versions(name: String?) throws -> [RegistryVersion] {
            let columns = "name, version, bundle, stage, run_id, spec_digest, data_digest, metrics, tests_passed, added_by, added"
            let rows = try name.map { try session.rows("SELECT \(columns) FROM runner_registry_versions WHERE name = $1 ORDER BY name, version", [.text($0)]) }
                ?? session.rows("SELECT \(columns) FROM runner_registry_versions ORDER BY name, version")
            return try rows.map { row in
                let cells = row.makeRandomAccess()
                return RegistryVersion(
                    name: try cells[0].decode(String.self), version: try cells[1].decode(Int.self), bundle: try cells[2].decode(String.self),
                    stage: try cells[3].decode(String.self), runID: try cells[4].decode(String?.self), specDigest: try cells[5].decode(String?.self),
                    dataDigest: try cells[6].decode(String?.self), metrics: try cells[7].decode(String.self), testsPassed: try cells[8].decode(Bool?.self),
                    addedBy: try cells[9].decode(String.self), added: try cells[10].decode(String.self))
            }
        }

        func events(name: String) throws -> [RegistryEvent] {
            try session.rows("SELECT sequence, name, version, event, stage, actor, at FROM runner_registry_events WHERE name = $1 ORDER BY sequence", [.text(name)]).map { row in
                let cells = row.makeRandomAccess()
                return RegistryEvent(
                    sequence: try cells[0].decode(Int64.self), name: try cells[1].decode(String.self), version: try cells[2].decode(Int.self),
                    event: try cells[3].decode(String.self), stage: try cells[4].decode(String?.self), actor: try cells[5].decode(String.self),
                    at: try cells[6].decode(String.self))
            }
        }

        func latestVersionNumber(name: String) throws -> Int {
            try session.rows("SELECT coalesce(max(version), 0) FROM runner_registry_events WHERE name = $1", [.text(name)]).first?.decode(Int.self) ?? 0
        }

        func insert(_ version: RegistryVersion) throws {
            try session.execute(
                "INSERT INTO runner_registry_versions VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::boolean, $10, $11)",
                [.text(version.name), .integer(Int64(version.version)), .text(version.bundle), .text(version.stage),
                 version.runID.map { .text($0) } ?? .null, version.specDigest.map { .text($0) } ?? .null, version.dataDigest.map { .text($0) } ?? .null,
                 .text(version.metrics), version.testsPassed.map { .text($0 ? "true" : "false") } ?? .null, .text(version.addedBy), .text(version.added)])
        }

        func setStage(name: String, version: Int, stage: String) throws {
            try session.execute("UPDATE runner_registry_versions SET stage = $1 WHERE name = $2 AND version = $3", [.text(stage), .text(name), .integer(Int64(version))])
        }

        func delete(name: String, version: Int) throws {
            try session.execute("DELETE FROM runner_registry_versions WHERE name = $1 AND version = $2", [.text(name), .integer(Int64(version))])
        }

        func insert(_ event: RegistryEvent) throws {
            try session.execute("INSERT INTO runner_registry_events (name, version, event, stage, actor, at) VALUES ($1, $2, $3, $4, $5, $6)",
                                [.text(event.name), .integer(Int64(event.version)), .text(event.event), event.stage.map { .text($0) } ?? .null, .text(event.actor), .text(event.at)])
        }
    }
}
