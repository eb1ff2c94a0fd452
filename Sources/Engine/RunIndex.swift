import Foundation
import GRDB

/// One past run, as `runner runs` lists it.
public struct RunSummary: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "runs"
    public var id: String
    public var experiment: String
    public var specPath: String
    public var started: String
    public var seconds: Double
    public var task: String
    public var scoring: String
    public var bestModel: String
    public var bestScore: Double
    public var testScore: Double?
    public var stages: Int
    public var cachedStages: Int
    /// Digest of the run's results.json in the store.
    public var results: String

    public init(results: RunResults, specPath: String, resultsDigest: String) {
        id = results.runID
        experiment = results.experiment
        self.specPath = specPath
        started = results.started
        seconds = results.seconds
        task = results.task.rawValue
        scoring = results.scoring
        bestModel = results.best.model
        bestScore = results.best.cv[results.scoring] ?? .nan
        testScore = results.best.test.metrics[results.scoring]
        stages = results.stages.count
        cachedStages = results.cachedStages
        self.results = resultsDigest
    }
}

/// What `runner deploy --apply` created for one target, as the run index keeps it.
public struct DeploymentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "deployments"
    public var experiment: String
    public var target: String
    public var kind: String
    /// SHA-256 of the bundle deployed.
    public var bundle: String
    /// `applying` while steps run (what is recorded so far was created), then `applied`;
    /// `failed` when a step failed (still what was created, for `--destroy`).
    public var state: String
    /// JSON object: variable name → value (instance ids, addresses, ...).
    public var resources: String
    public var updated: String

    public init(experiment: String, target: String, kind: String, bundle: String, state: String, resources: [String: String], updated: String) {
        self.experiment = experiment
        self.target = target
        self.kind = kind
        self.bundle = bundle
        self.state = state
        let data = (try? JSONSerialization.data(withJSONObject: resources, options: [.sortedKeys])) ?? Data("{}".utf8)
        self.resources = String(decoding: data, as: UTF8.self)
        self.updated = updated
    }

    public var resourceValues: [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(resources.utf8))) as? [String: String] ?? [:]
    }
}

/// One champion/challenger decision, as the run index keeps it.
public struct PromotionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "promotions"
    public var experiment: String
    /// The retraining run.
    public var runID: String
    /// SHA-256 of the deployed bundle and of the new one.
    public var champion: String
    public var challenger: String
    public var metric: String
    public var championScore: Double?
    public var challengerScore: Double
    public var holdoutRows: Int
    public var promoted: Bool
    public var bundlePath: String
    public var decided: String
}

/// The run index: an SQLite database in the store (`index.sqlite`). SQLite's own locking
/// lets several processes record runs at once; a busy database is waited for, not an error.
public struct RunIndex: Sendable {
    static let schemaVersion = 4
    private let queue: DatabaseQueue
    private let indexPath: String

    public init(store: ContentStore) throws(StoreError) {
        indexPath = store.indexPath
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(60)
            queue = try DatabaseQueue(path: store.indexPath, configuration: configuration)
            // Several processes may open a new store at once: create the schema inside one
            // IMMEDIATE transaction (a write lock), so exactly one of them does it.
            try queue.inDatabase { db in
                try db.inTransaction(.immediate) {
                    let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                    guard version <= Self.schemaVersion else {
                        throw StoreError.index("the run index \(store.indexPath) was written by a newer runner (schema \(version); this runner reads \(Self.schemaVersion))")
                    }
                    if version < 1 {
                        try db.create(table: "runs", ifNotExists: true) { table in
                            table.primaryKey("id", .text)
                            table.column("experiment", .text).notNull()
                            table.column("specPath", .text).notNull()
                            table.column("started", .text).notNull()
                            table.column("seconds", .double).notNull()
                            table.column("task", .text).notNull()
                            table.column("scoring", .text).notNull()
                            table.column("bestModel", .text).notNull()
                            table.column("bestScore", .double)
                            table.column("testScore", .double)
                            table.column("stages", .integer).notNull()
                            table.column("cachedStages", .integer).notNull()
                            table.column("results", .text).notNull()
                        }
                    }
                    if version < 2 {
                        // What `runner deploy --apply` created per target (ids, addresses).
                        try db.create(table: DeploymentRecord.databaseTableName, ifNotExists: true) { table in
                            table.column("experiment", .text).notNull()
                            table.column("target", .text).notNull()
                            table.column("kind", .text).notNull()
                            table.column("bundle", .text).notNull()
                            table.column("state", .text).notNull()
                            table.column("resources", .text).notNull()
                            table.column("updated", .text).notNull()
                            table.primaryKey(["experiment", "target"])
                        }
                    }
                    if version < 3 {
                        // Champion/challenger decisions of `runner monitor --retrain`.
                        try db.create(table: PromotionRecord.databaseTableName, ifNotExists: true) { table in
                            table.column("experiment", .text).notNull()
                            table.column("runID", .text).notNull()
                            table.column("champion", .text).notNull()
                            table.column("challenger", .text).notNull()
                            table.column("metric", .text).notNull()
                            table.column("championScore", .double)
                            table.column("challengerScore", .double).notNull()
                            table.column("holdoutRows", .integer).notNull()
                            table.column("promoted", .boolean).notNull()
                            table.column("bundlePath", .text).notNull()
                            table.column("decided", .text).notNull()
                            table.primaryKey(["experiment", "runID"])
                        }
                    }
                    if version < 4 {
                        // The model registry (`runner registry`): versions and their history.
                        try db.create(table: RegistryVersion.databaseTableName, ifNotExists: true) { table in
                            table.column("name", .text).notNull()
                            table.column("version", .integer).notNull()
                            table.column("bundle", .text).notNull()
                            table.column("stage", .text).notNull()
                            table.column("runID", .text)
                            table.column("specDigest", .text)
                            table.column("dataDigest", .text)
                            table.column("metrics", .text).notNull()
                            table.column("testsPassed", .boolean)
                            table.column("addedBy", .text).notNull()
                            table.column("added", .text).notNull()
                            table.primaryKey(["name", "version"])
                        }
                        try db.create(table: RegistryEvent.databaseTableName, ifNotExists: true) { table in
                            table.autoIncrementedPrimaryKey("sequence")
                            table.column("name", .text).notNull()
                            table.column("version", .integer).notNull()
                            table.column("event", .text).notNull()
                            table.column("stage", .text)
                            table.column("actor", .text).notNull()
                            table.column("at", .text).notNull()
                        }
                    }
                    if version < Self.schemaVersion {
                        try db.execute(sql: "PRAGMA user_version = \(Self.schemaVersion)")
                    }
                    return .commit
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.index("cannot open the run index \(store.indexPath): \(Self.describe(error)); `runner fsck --repair --store \(store.root)` rebuilds it from the stored runs")
        }
    }

    /// A SQLite failure in our words.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        switch error.resultCode.primaryResultCode {
        case .SQLITE_NOTADB: return "the file is not a run index (damaged or overwritten)"
        case .SQLITE_CORRUPT: return "the database is damaged"
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN: return "it cannot be opened for writing (permissions or a read-only file system)"
        case .SQLITE_FULL: return "the disk is full"
        case .SQLITE_IOERR: return "an I/O error occurred"
        default: return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
    }

    public func record(_ run: RunSummary) throws(StoreError) {
        do {
            try queue.write { db in try run.insert(db, onConflict: .replace) }
        } catch {
            throw StoreError.index("cannot record the run in the index \(indexPath): \(Self.describe(error)); `runner fsck --repair` rebuilds the index from the stored runs")
        }
    }

    /// The newest runs first.
    public func list(limit: Int? = nil) throws(StoreError) -> [RunSummary] {
        do {
            return try queue.read { db in
                var request = RunSummary.order(Column("started").desc, Column.rowID.desc)
                if let limit { request = request.limit(limit) }
                return try request.fetchAll(db)
            }
        } catch {
            throw StoreError.index("cannot read the run index \(indexPath): \(Self.describe(error)); `runner fsck --repair` rebuilds it from the stored runs")
        }
    }

    /// Runs whose id starts with `prefix`.
    public func find(prefix: String) throws(StoreError) -> [RunSummary] {
        do {
            return try queue.read { db in
                try RunSummary.filter(Column("id").like(prefix.replacingOccurrences(of: "%", with: "") + "%")).fetchAll(db)
            }
        } catch {
            throw StoreError.index("cannot read the run index \(indexPath): \(Self.describe(error)); `runner fsck --repair` rebuilds it from the stored runs")
        }
    }

    /// Records (replaces) what a deployment of one target created.
    public func record(_ deployment: DeploymentRecord) throws(StoreError) {
        do {
            try queue.write { db in try deployment.insert(db, onConflict: .replace) }
        } catch {
            throw StoreError.index("cannot record the deployment in the index \(indexPath): \(Self.describe(error))")
        }
    }

    public func deployment(experiment: String, target: String) throws(StoreError) -> DeploymentRecord? {
        do {
            return try queue.read { db in
                try DeploymentRecord.filter(Column("experiment") == experiment && Column("target") == target).fetchOne(db)
            }
        } catch {
            throw StoreError.index("cannot read the run index \(indexPath): \(Self.describe(error))")
        }
    }

    public func deployments() throws(StoreError) -> [DeploymentRecord] {
        do {
            return try queue.read { db in try DeploymentRecord.order(Column("experiment"), Column("target")).fetchAll(db) }
        } catch {
            throw StoreError.index("cannot read the run index \(indexPath): \(Self.describe(error))")
        }
    }

    /// Records a champion/challenger decision.
    public func record(_ promotion: PromotionRecord) throws(StoreError) {
        do {
            try queue.write { db in try promotion.insert(db, onConflict: .replace) }
        } catch {
            throw StoreError.index("cannot record the promotion in the index \(indexPath): \(Self.describe(error))")
        }
    }

    /// Champion/challenger decisions, oldest first; with `experiment`, that experiment's only.
    public func promotions(experiment: String? = nil) throws(StoreError) -> [PromotionRecord] {
        do {
            return try queue.read { db in
                var request = PromotionRecord.order(Column("decided"), Column("runID"))
                if let experiment { request = request.filter(Column("experiment") == experiment) }
                return try request.fetchAll(db)
            }
        } catch {
            throw StoreError.index("cannot read the run index \(indexPath): \(Self.describe(error))")
        }
    }

    public func removeDeployment(experiment: String, target: String) throws(StoreError) {
        do {
            _ = try queue.write { db in
                try DeploymentRecord.filter(Column("experiment") == experiment && Column("target") == target).deleteAll(db)
            }
        } catch {
            throw StoreError.index("cannot update the run index \(indexPath): \(Self.describe(error))")
        }
    }

    /// "ok", or what SQLite's integrity check found.
    func integrity() -> [String] {
        (try? queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }) ?? ["cannot read the run index"]
    }
}
