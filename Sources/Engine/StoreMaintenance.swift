import Foundation
import Packaging

/// What `runner fsck` found.
public struct FsckReport: Sendable, Codable, Equatable {
    public var blobs = 0
    public var records = 0
    public var corruptedBlobs: [String] = []
    public var brokenRecords: [String] = []
    /// Records whose output blob is missing or corrupted.
    public var incompleteRecords: [String] = []
    /// Temporary files of processes that are gone (interrupted writes; harmless).
    public var leftoverTemporaryFiles: [String] = []
    public var indexProblems: [String] = []
    /// Folders of the store's skeleton that are gone.
    public var missingFolders: [String] = []
    /// Runs put back into a rebuilt index (repair of a damaged index).
    public var reindexedRuns = 0
    public var repaired = false

    public var isClean: Bool {
        corruptedBlobs.isEmpty && brokenRecords.isEmpty && incompleteRecords.isEmpty && indexProblems.isEmpty && missingFolders.isEmpty
    }
}

public struct GCReport: Sendable, Codable, Equatable {
    public var removedBlobs = 0
    public var removedRecords = 0
    public var removedTemporaryFiles = 0
    public var freedBytes = 0
    public var keptBlobs = 0
    public var keptRecords = 0
}

public enum StoreMaintenance {
    /// Checks every blob against its name and every record's checksum and outputs. With
    /// `repair`, removes what is broken so the next run recomputes it.
    public static func fsck(_ store: ContentStore, repair: Bool) -> FsckReport {
        var report = FsckReport()
        let blobs = store.allBlobs()
        report.blobs = blobs.count
        var corrupted: Set<String> = []
        for digest in blobs {
            let intact = Hashing.isDigest(digest) && (try? Hashing.sha256(file: store.blobPath(digest)).digest) == digest
            if !intact { corrupted.insert(digest) }
        }
        report.corruptedBlobs = corrupted.sorted()
        report.missingFolders = ContentStore.skeleton.filter { !FileManager.default.fileExists(atPath: store.path($0)) }
        let files = store.recordFiles()
        report.records = files.count
        var strays: [String] = []
        for (key, path) in files {
            // A file not named by a key, or not where its key puts it, is not a record.
            guard Hashing.isDigest(key), path == store.recordPath(key) else {
                strays.append(path)
                report.brokenRecords.append(String(path.dropFirst(store.path("").count)))
                continue
            }
            guard let record = store.record(for: key) else {
                report.brokenRecords.append(key)
                continue
            }
            if record.outputs.values.contains(where: { !store.contains($0) || corrupted.contains($0) }) {
                report.incompleteRecords.append(key)
            }
        }
        report.leftoverTemporaryFiles = store.temporaryFiles().filter { !processIsAlive(owning: $0) }
        if FileManager.default.fileExists(atPath: store.indexPath) {
            do {
                let index = try RunIndex(store: store)
                let integrity = index.integrity()
                if integrity != ["ok"] {
                    report.indexProblems = integrity
                } else {
                    // The check passes on a file whose table is gone or unreadable: read it too.
                    _ = try index.list(limit: 1)
                }
            } catch {
                report.indexProblems = [error.description]
            }
        }
        if repair {
            for folder in report.missingFolders { try? AtomicFile.makeFolder(store.path(folder)) }
            for digest in report.corruptedBlobs { unlink(store.blobPath(digest)) }
            for path in strays { unlink(path) }
            for key in report.brokenRecords + report.incompleteRecords where Hashing.isDigest(key) { unlink(store.recordPath(key)) }
            for name in report.leftoverTemporaryFiles { unlink("\(store.temporaryFolder)/\(name)") }
            if !report.indexProblems.isEmpty { report.reindexedRuns = rebuildIndex(store, skipping: corrupted) }
            report.repaired = true
        }
        return report
    }

    /// Moves a damaged run index aside and builds a new one from the results every recorded
    /// run stored as a blob. Returns how many runs it found.
    static func rebuildIndex(_ store: ContentStore, skipping corrupted: Set<String>) -> Int {
        let damaged = store.indexPath + ".damaged-\(Int(Date().timeIntervalSince1970))"
        rename(store.indexPath, damaged)
        for suffix in ["-wal", "-shm", "-journal"] { unlink(store.indexPath + suffix) }
        guard let index = try? RunIndex(store: store) else { return 0 }
        var count = 0
        for digest in store.allBlobs() where !corrupted.contains(digest) {
            // Results are JSON objects that name their run; everything else is skipped cheaply.
            guard let data = AtomicFile.read(store.blobPath(digest)), data.first == UInt8(ascii: "{"),
                  data.range(of: Data("\"runID\"".utf8)) != nil,
                  let results = try? CanonicalJSON.decode(RunResults.self, from: data) else { continue }
            if (try? index.record(RunSummary(results: results, specPath: results.spec.path, resultsDigest: digest))) != nil { count += 1 }
        }
        return count
    }

    /// Removes blobs and records that no recorded run references, and leftover temporary
    /// files. Files younger than `grace` seconds are kept: a run in progress may not have
    /// recorded itself yet.
    public static func collectGarbage(_ store: ContentStore, grace: TimeInterval, dryRun: Bool) throws(StoreError) -> GCReport {
        var liveBlobs: Set<String> = [], liveRecords: Set<String> = []
        for run in try RunIndex(store: store).list() {
            liveBlobs.insert(run.results)
            guard let results = try? Session.results(of: run, in: store) else { continue }
            for stage in results.stages {
                liveRecords.insert(stage.key)
                liveBlobs.insert(stage.output)
            }
            // Results written before packaging was a stage list packages only as artifacts.
            liveBlobs.formUnion(results.artifacts.values)
            // The run's spec text (`runner diff` compares parameters with it).
            liveBlobs.insert(results.spec.digest)
        }
        // Registered model versions point at their bundles.
        if let registry = try? ModelRegistry(store: store) { liveBlobs.formUnion((try? registry.referencedBlobs()) ?? []) }
        // A shared registry (RUNNER_REGISTRY) may point at bundles in this store too; when it
        // cannot be read, nothing is collected rather than a registered bundle lost.
        if let shared = ProcessInfo.processInfo.environment["RUNNER_REGISTRY"], !shared.isEmpty {
            do {
                liveBlobs.formUnion(try ModelRegistry(store: store, location: shared, passwordAllowed: true).referencedBlobs())
            } catch {
                throw StoreError.index("cannot read the registry in RUNNER_REGISTRY (\(error)); gc would not know which bundles it keeps")
            }
        }
        let now = Date()
        func isOld(_ path: String) -> Bool {
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return false }
            return now.timeIntervalSince(modified) >= grace
        }
        var report = GCReport()
        for key in store.allRecordKeys() {
            let path = store.recordPath(key)
            if liveRecords.contains(key) || !isOld(path) { report.keptRecords += 1; continue }
            report.removedRecords += 1
            if !dryRun { unlink(path) }
        }
        for digest in store.allBlobs() {
            let path = store.blobPath(digest)
            if liveBlobs.contains(digest) || !isOld(path) { report.keptBlobs += 1; continue }
            report.removedBlobs += 1
            report.freedBytes += ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
            if !dryRun { unlink(path) }
        }
        for name in store.temporaryFiles() where !processIsAlive(owning: name) {
            report.removedTemporaryFiles += 1
            if !dryRun { unlink("\(store.temporaryFolder)/\(name)") }
        }
        return report
    }

    /// Temporary files are named `<pid>.<random>.tmp`; the writer is alive if that pid is.
    static func processIsAlive(owning name: String) -> Bool {
        guard let pid = Int32(name.split(separator: ".").first ?? "") else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
