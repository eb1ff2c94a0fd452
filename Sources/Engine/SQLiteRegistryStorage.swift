import Foundation
import GRDB

/// The registry in the store's run index (`index.sqlite`, tables registry_versions and
/// registry_events): changes run in IMMEDIATE transactions, which SQLite serializes across
/// processes.
struct SQLiteRegistryStorage: RegistryStorage {
    private let queue: DatabaseQueue
    let location: String

    init(store: ContentStore) throws(StoreError) {
        _ = try RunIndex(store: store)
        location = store.indexPath
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(60)
            queue = try DatabaseQueue(path: store.indexPath, configuration: configuration)
        } catch {
            throw StoreError.index("cannot open the run index \(store.indexPath): \(RunIndex.describe(error))")
        }
    }

    func write<T>(_ body: (any RegistryTransaction) throws -> T) throws -> T {
        try queue.inDatabase { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(Transaction(db: db))
                return .commit
            }
            return result!
        }
    }

    func read<T>(_ body: (any RegistryTransaction) throws -> T) throws -> T {
        try queue.read { db in try body(Transaction(db: db)) }
    }

    private struct Transaction: RegistryTransaction {
        let db: Database

        func versions(name: String?) throws -> [RegistryVersion] {
            var request = RegistryVersion.order(Column("name"), Column("version"))
            if let name { request = request.filter(Column("name") == name) }
            return try request.fetchAll(db)
        }

        func events(name: String) throws -> [RegistryEvent] {
            try RegistryEvent.filter(Column("name") == name).order(Column("sequence")).fetchAll(db)
        }

        func latestVersionNumber(name: String) throws -> Int {
            try Int.fetchOne(db, sql: "SELECT max(version) FROM registry_events WHERE name = ?", arguments: [name]) ?? 0
        }

        func insert(_ version: RegistryVersion) throws { try version.insert(db) }

        func setStage(name: String, version: Int, stage: String) throws {
            try db.execute(sql: "UPDATE registry_versions SET stage = ? WHERE name = ? AND version = ?", arguments: [stage, name, version])
        }

        func delete(name: String, version: Int) throws {
            try db.execute(sql: "DELETE FROM registry_versions WHERE name = ? AND version = ?", arguments: [name, version])
        }

        func insert(_ event: RegistryEvent) throws { try event.insert(db) }
    }
}
