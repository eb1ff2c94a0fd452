import Foundation
import GRDB
import Packaging

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

/// Named model versions with stages, in the store's run index (SQLite): numbered per name,
/// one production (and one staging) version per name, every change in the history. Changes
/// run in IMMEDIATE transactions, so two processes promoting at once are serialized: both
/// succeed in some order and the history says which. The store keeps
/// `registry/NAME/STAGE.bundle` symbolic links to the staged blobs, which `runner serve
/// registry://NAME@STAGE` serves and follows.
public struct ModelRegistry: Sendable {
    public static let stages = ["staging", "production"]
    private let queue: DatabaseQueue
    private let store: ContentStore

    public init(store: ContentStore) throws(StoreError) {
        _ = try RunIndex(store: store)
        self.store = store
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(60)
            queue = try DatabaseQueue(path: store.indexPath, configuration: configuration)
        } catch {
            throw StoreError.index("cannot open the run index \(store.indexPath): \(RunIndex.describe(error))")
        }
    }

    /// `NAME`, `NAME@3`, `NAME@production`: the name and either a version or a stage.
    public static func parse(_ reference: String) throws(RegistryError) -> (name: String, version: Int?, stage: String?) {
        let parts = reference.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }), !name.hasPrefix(".") else {
            throw .badReference(reference)
        }
        guard parts.count == 2 else { return (name, nil, nil) }
        if let version = Int(parts[1]), version > 0 { return (name, version, nil) }
        guard stages.contains(parts[1]) else { throw .badReference(reference) }
        return (name, nil, parts[1])
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

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.inDatabase { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    /// Registers a bundle already in the store as the next version of `name`.
    public func add(name: String, bundle digest: String, runID: String?, specDigest: String?, dataDigest: String?, metrics: [String: Double], testsPassed: Bool?) throws -> RegistryVersion {
        _ = try Self.parse(name)
        guard store.contains(digest) else { throw StoreError.missing(digest: digest) }
        let metricsJSON = String(decoding: CanonicalJSON.encode(metrics), as: UTF8.self)
        return try write { db in
            // Numbers are never reused: a removed version's number stays in the history.
            let latest = try Int.fetchOne(db, sql: "SELECT max(version) FROM registry_events WHERE name = ?", arguments: [name]) ?? 0
            let version = RegistryVersion(name: name, version: latest + 1, bundle: digest, stage: "none", runID: runID, specDigest: specDigest, dataDigest: dataDigest,
                                          metrics: metricsJSON, testsPassed: testsPassed, addedBy: Self.actor, added: Self.now)
            try version.insert(db)
            let event = RegistryEvent(name: name, version: version.version, event: "add", stage: nil, actor: Self.actor, at: version.added)
            try event.insert(db)
            return version
        }
    }

    /// Puts `name@version` in `stage`; the version it replaces there is archived (production)
    /// or unstaged (staging).
    public func promote(name: String, version: Int, stage: String) throws -> RegistryVersion {
        guard Self.stages.contains(stage) else { throw RegistryError.badReference("\(name)@\(stage)") }
        let promoted: RegistryVersion = try write { db in
            guard var target = try RegistryVersion.fetchOne(db, key: ["name": name, "version": version]) else {
                if try RegistryVersion.filter(Column("name") == name).fetchCount(db) == 0 { throw RegistryError.unknownName(name) }
                throw RegistryError.unknownVersion(name, version)
            }
            for var current in try RegistryVersion.filter(Column("name") == name && Column("stage") == stage && Column("version") != version).fetchAll(db) {
                current.stage = stage == "production" ? "archived" : "none"
                try current.update(db)
            }
            target.stage = stage
            try target.update(db)
            let event = RegistryEvent(name: name, version: version, event: "promote", stage: stage, actor: Self.actor, at: Self.now)
            try event.insert(db)
            return target
        }
        try link(name: name, stage: stage)
        return promoted
    }

    /// Puts back the production version before the current one (by the history); the current
    /// one is archived. Returns the version now in production.
    public func rollback(name: String) throws -> RegistryVersion {
        let restored: RegistryVersion = try write { db in
            guard try RegistryVersion.filter(Column("name") == name).fetchCount(db) > 0 else { throw RegistryError.unknownName(name) }
            guard var current = try RegistryVersion.filter(Column("name") == name && Column("stage") == "production").fetchOne(db) else {
                throw RegistryError.noVersionInStage(name, "production")
            }
            // Production versions in the order they were promoted, newest first; the first
            // that still exists and is not the current one.
            let history = try RegistryEvent.filter(Column("name") == name && Column("stage") == "production" && (Column("event") == "promote" || Column("event") == "rollback"))
                .order(Column("sequence").desc).fetchAll(db)
            var candidate: RegistryVersion?
            for event in history where event.version != current.version {
                if let version = try RegistryVersion.fetchOne(db, key: ["name": name, "version": event.version]) {
                    candidate = version
                    break
                }
            }
            guard var previous = candidate else { throw RegistryError.nothingToRollBack(name) }
            current.stage = "archived"
            try current.update(db)
            previous.stage = "production"
            try previous.update(db)
            let event = RegistryEvent(name: name, version: previous.version, event: "rollback", stage: "production", actor: Self.actor, at: Self.now)
            try event.insert(db)
            return previous
        }
        try link(name: name, stage: "production")
        return restored
    }

    /// Forgets a version that is not in production (the history keeps that it was there).
    public func remove(name: String, version: Int) throws {
        let stage: String = try write { db in
            guard let target = try RegistryVersion.fetchOne(db, key: ["name": name, "version": version]) else {
                if try RegistryVersion.filter(Column("name") == name).fetchCount(db) == 0 { throw RegistryError.unknownName(name) }
                throw RegistryError.unknownVersion(name, version)
            }
            guard target.stage != "production" else { throw RegistryError.removingProduction(name, version) }
            try target.delete(db)
            let event = RegistryEvent(name: name, version: version, event: "remove", stage: nil, actor: Self.actor, at: Self.now)
            try event.insert(db)
            return target.stage
        }
        if stage == "staging" { try link(name: name, stage: "staging") }
    }

    /// Every version, by name then version.
    public func versions(name: String? = nil) throws -> [RegistryVersion] {
        try queue.read { db in
            var request = RegistryVersion.order(Column("name"), Column("version"))
            if let name { request = request.filter(Column("name") == name) }
            return try request.fetchAll(db)
        }
    }

    public func history(name: String) throws -> [RegistryEvent] {
        try queue.read { db in try RegistryEvent.filter(Column("name") == name).order(Column("sequence")).fetchAll(db) }
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

    private func link(name: String, stage: String) throws {
        let path = stagePath(name: name, stage: stage)
        let staged = try versions(name: name).first { $0.stage == stage }
        guard let staged else {
            unlink(path)
            return
        }
        try AtomicFile.makeFolder((path as NSString).deletingLastPathComponent)
        let temporary = path + ".\(UUID().uuidString).tmp"
        let target = "../../objects/\(staged.bundle.prefix(2))/\(staged.bundle.dropFirst(2))"
        guard symlink(target, temporary) == 0 else { throw StoreError.system("cannot link \(path)", errno) }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw StoreError.system("cannot link \(path)", code)
        }
    }

    /// Every blob a registered version references (kept by `runner gc`).
    func referencedBlobs() -> Set<String> {
        Set(((try? versions()) ?? []).map(\.bundle))
    }
}
