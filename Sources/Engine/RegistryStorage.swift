/// Where the registry's versions and history live: the store's SQLite index, or a PostgreSQL
/// database a team shares. The rules (numbering, one version per stage, rollback) are written
/// once in `ModelRegistry` over these primitives.
public protocol RegistryStorage: Sendable {
    /// Where it is, for messages: the index file, or postgres://USER@HOST:PORT/DATABASE.
    var location: String { get }
    /// Runs `body` in a transaction that excludes every other writer (in any process) until it
    /// commits; rolled back when it throws.
    func write<T>(_ body: (any RegistryTransaction) throws -> T) throws -> T
    /// Runs `body` on a consistent snapshot.
    func read<T>(_ body: (any RegistryTransaction) throws -> T) throws -> T
}

/// The reads and writes a registry change is made of, inside one transaction.
public protocol RegistryTransaction {
    /// Versions (of one name, or all), by name then version.
    func versions(name: String?) throws -> [RegistryVersion]
    /// One name's history, oldest first.
    func events(name: String) throws -> [RegistryEvent]
    /// The highest version number `name` ever had (history included), 0 for none.
    func latestVersionNumber(name: String) throws -> Int
    func insert(_ version: RegistryVersion) throws
    func setStage(name: String, version: Int, stage: String) throws
    func delete(name: String, version: Int) throws
    func insert(_ event: RegistryEvent) throws
}
