import Foundation
import DatabaseSources
import GRDB
import Packaging
import Spec

/// One registered version of a named model: it points at a bundle in the store by digest
/// (the bytes are not copied) and keeps where it came from.
public struct RegistryVersion: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "registry_versions"
    public var name: String
    public var version: Int
    /// The bundle's digest in the store.
    public var bundle: String
    /// `none`, `staging`, `production` or `archived` (a production version a later one replaced).
    public var stage: String
    public var runID: String?
    public var specDigest: String?
    public var dataDigest: String?
    /// Test-split metrics, JSON.
    public var metrics: String
    /// Whether the run's model tests passed (nil: none, or not known).
    public var testsPassed: Bool?
    public var addedBy: String
    public var added: String
}

/// One change to the registry, kept forever (`runner registry show` prints the history).
public struct RegistryEvent: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "registry_events"
    /// The order of the change (assigned by the database).
    public var sequence: Int64?
    public var name: String
    public var version: Int
    /// `add`, `promote`, `rollback`, `remove`.
    public var event: String
    public var stage: String?
    public var actor: String
    public var at: String
}

/// Why a registry operation was refused.
public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownName(String)
    case unknownVersion(String, Int)
    case noVersionInStage(String, String)
    case badReference(String)
    case removingProduction(String, Int)
    case nothingToRollBack(String)
    case noBundle(String)

    public var description: String {
        switch self {
        case .unknownName(let name): return "no model named '\(name)' in the registry (see `runner registry list`)"
        case .unknownVersion(let name, let version): return "'\(name)' has no version \(version) (see `runner registry show \(name)`)"
        case .noVersionInStage(let name, let stage): return "'\(name)' has no \(stage) version (promote one: `runner registry promote \(name)@VERSION --stage \(stage)`)"
        case .badReference(let text): return "'\(text)' is not NAME, NAME@VERSION, NAME@staging or NAME@production"
        case .removingProduction(let name, let version): return "\(name)@\(version) is in production; promote another version first"
        case .nothingToRollBack(let name): return "'\(name)' has no earlier production version to roll back to"
        case .noBundle(let what): return "\(what) has no bundle (package.formats leaves out 'bundle', or its tests failed)"
        }
    }
}

/// Named model versions with stages: numbered per name, one production (and one staging)
/// version per name, every change in the history. The versions and history live in the
/// store's run index (SQLite) or in a PostgreSQL database (`RegistryStorage`); every change
/// runs in a transaction that excludes other writers, so two processes promoting at once are
/// serialized: both succeed in some order and the history says which. The store keeps
/// `registry/NAME/STAGE.bundle` symbolic links to the staged blobs, which `runner serve
/// registry://NAME@STAGE` serves and follows.
public struct ModelRegistry: Sendable {
    public static let stages = RegistryReference.stages
    private let storage: any RegistryStorage
    private let store: ContentStore

    /// The registry in the store's own index.
    public init(store: ContentStore) throws(StoreError) {
        self.store = store
        storage = try SQLiteRegistryStorage(store: store)
    }

    /// The registry at `location`: nil or empty for the store's index, else a PostgreSQL URL
    /// (`postgres://USER@HOST:PORT/DATABASE`, the password from the URL when it came from the
    /// environment, or PGPASSWORD). The bundles stay in `store`.
    public init(store: ContentStore, location: String?, passwordAllowed: Bool) throws {
        self.store = store
        guard let location, !location.isEmpty else {
            storage = try SQLiteRegistryStorage(store: store)
            return
        }
        storage = try PostgresRegistryStorage(endpoint: PostgresEndpoint.parse(location, allowPassword: passwordAllowed))
    }

    /// Where the versions are kept, for messages.
    public var location: String { storage.location }

    /// `NAME`, `NAME@3`, `NAME@production`: the name and either a version or a stage.
    public static func parse(_ reference: String) throws(RegistryError) -> (name: String, version: Int?, stage: String?) {
        guard let parsed = RegistryReference(reference) else { throw .badReference(reference) }
        return (parsed.name, parsed.version, parsed.stage)
    }

    private static var actor: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["RUNNER_ACTOR"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
    }

    private static var now: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    /// Registers a bundle already in the store as the next version of `name`.
    public func add(name: String, bundle digest: String, runID: String?, specDigest: String?, dataDigest: String?, metrics: [String: Double], testsPassed: Bool?) throws -> RegistryVersion {
        _ = try Self.parse(name)
        guard store.contains(digest) else { throw StoreError.missing(digest: digest) }
        let metricsJSON = String(decoding: CanonicalJSON.encode(metrics), as: UTF8.self)
        return try storage.write { transaction in
            // Numbers are never reused: a removed version's number stays in the history.
            let latest = try transaction.latestVersionNumber(name: name)
            let version = RegistryVersion(name: name, version: latest + 1, bundle: digest, stage: "none", runID: runID, specDigest: specDigest, dataDigest: dataDigest,
                                          metrics: metricsJSON, testsPassed: testsPassed, addedBy: Self.actor, added: Self.now)
            try transaction.insert(version)
            try transaction.insert(RegistryEvent(name: name, version: version.version, event: "add", stage: nil, actor: Self.actor, at: version.added))
            return version
        }
    }

    /// Puts `name@version` in `stage`; the version it replaces there is archived (production)
    /// or unstaged (staging).
    public func promote(name: String, version: Int, stage: String) throws -> RegistryVersion {
        guard Self.stages.contains(stage) else { throw RegistryError.badReference("\(name)@\(stage)") }
        let promoted: RegistryVersion = try storage.write { transaction in
            let own = try transaction.versions(name: name)
            guard !own.isEmpty else { throw RegistryError.unknownName(name) }
            guard var target = own.first(where: { $0.version == version }) else { throw RegistryError.unknownVersion(name, version) }
            for current in own where current.stage == stage && current.version != version {
                try transaction.setStage(name: name, version: current.version, stage: stage == "production" ? "archived" : "none")
            }
            target.stage = stage
            try transaction.setStage(name: name, version: version, stage: stage)
            try transaction.insert(RegistryEvent(name: name, version: version, event: "promote", stage: stage, actor: Self.actor, at: Self.now))
            return target
        }
        try link(name: name, stage: stage)
        return promoted
    }

    /// Puts back the production version before the current one (by the history); the current
    /// one is archived. Returns the version now in production.
    public func rollback(name: String) throws -> RegistryVersion {
        let restored: RegistryVersion = try storage.write { transaction in
            let own = try transaction.versions(name: name)
            guard !own.isEmpty else { throw RegistryError.unknownName(name) }
            guard let current = own.first(where: { $0.stage == "production" }) else { throw RegistryError.noVersionInStage(name, "production") }
            // Production versions in the order they were promoted, newest first; the first
            // that still exists and is not the current one.
            let history = try transaction.events(name: name).filter { $0.stage == "production" && ($0.event == "promote" || $0.event == "rollback") }.reversed()
            guard var previous = history.lazy.filter({ $0.version != current.version })
                .compactMap({ event in own.first { $0.version == event.version } }).first else {
                throw RegistryError.nothingToRollBack(name)
            }
            try transaction.setStage(name: name, version: current.version, stage: "archived")
            previous.stage = "production"
            try transaction.setStage(name: name, version: previous.version, stage: "production")
            try transaction.insert(RegistryEvent(name: name, version: previous.version, event: "rollback", stage: "production", actor: Self.actor, at: Self.now))
            return previous
        }
        try link(name: name, stage: "production")
        return restored
    }

    /// Forgets a version that is not in production (the history keeps that it was there).
    public func remove(name: String, version: Int) throws {
        let stage: String = try storage.write { transaction in
            let own = try transaction.versions(name: name)
            guard !own.isEmpty else { throw RegistryError.unknownName(name) }
            guard let target = own.first(where: { $0.version == version }) else { throw RegistryError.unknownVersion(name, version) }
            guard target.stage != "production" else { throw RegistryError.removingProduction(name, version) }
            try transaction.delete(name: name, version: version)
            try transaction.insert(RegistryEvent(name: name, version: version, event: "remove", stage: nil, actor: Self.actor, at: Self.now))
            return target.stage
        }
        if stage == "staging" { try link(name: name, stage: "staging") }
    }

    /// Every version, by name then version.
    public func versions(name: String? = nil) throws -> [RegistryVersion] {
        try storage.read { try $0.versions(name: name) }
    }

    public func history(name: String) throws -> [RegistryEvent] {
        try storage.read { try $0.events(name: name) }
    }

    /// The version a reference names: `NAME` (the latest), `NAME@3`, `NAME@production`.
    public func resolve(_ reference: String) throws -> RegistryVersion {
        let (name, version, stage) = try Self.parse(reference)
        let all = try versions(name: name)
        guard !all.isEmpty else { throw RegistryError.unknownName(name) }
        if let version {
            guard let found = all.first(where: { $0.version == version }) else { throw RegistryError.unknownVersion(name, version) }
            return found
        }
        if let stage {
            guard let found = all.first(where: { $0.stage == stage }) else { throw RegistryError.noVersionInStage(name, stage) }
            return found
        }
        return all.last!
    }

    /// `registry/NAME/STAGE.bundle` in the store: a symbolic link to the staged version's blob
    /// (replaced atomically), or no file when no version holds the stage.
    public func stagePath(name: String, stage: String) -> String { store.path("registry/\(name)/\(stage).bundle") }

    /// Points the store's link for `name@stage` at the version the registry has there now
    /// (a shared registry changes under this store; `runner serve` calls this as it polls).
    /// Returns the version, nil when none holds the stage.
    @discardableResult
    public func refreshLink(name: String, stage: String) throws -> RegistryVersion? {
        try link(name: name, stage: stage, requireBundle: true)
    }

    /// After a change: a shared registry's change may be made from a store without the
    /// bundle (another machine's); that store's link then stays as it was.
    @discardableResult
    private func link(name: String, stage: String, requireBundle: Bool = false) throws -> RegistryVersion? {
        let path = stagePath(name: name, stage: stage)
        let staged = try versions(name: name).first { $0.stage == stage }
        guard let staged else {
            unlink(path)
            return nil
        }
        guard store.contains(staged.bundle) else {
            if requireBundle { throw StoreError.missing(digest: staged.bundle) }
            return nil
        }
        let target = "../../objects/\(staged.bundle.prefix(2))/\(staged.bundle.dropFirst(2))"
        var existing = [CChar](repeating: 0, count: 4096)
        let length = readlink(path, &existing, existing.count - 1)
        if length > 0, String(decoding: existing[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) == target { return staged }
        try AtomicFile.makeFolder((path as NSString).deletingLastPathComponent)
        let temporary = path + ".\(UUID().uuidString).tmp"
        guard symlink(target, temporary) == 0 else { throw StoreError.system("cannot link \(path)", errno) }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw StoreError.system("cannot link \(path)", code)
        }
        return staged
    }

    /// Every blob a registered version references (kept by `runner gc`).
    func referencedBlobs() throws -> Set<String> {
        Set(try versions().map(\.bundle))
    }
}
