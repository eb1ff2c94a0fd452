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
    public var repaired = false

    public var isClean: Bool { corruptedBlobs.isEmpty && brokenRecords.isEmpty && incompleteRecords.isEmpty && indexProblems.isEmpty }
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
        let keys = store.allRecordKeys()
        report.records = keys.count
        for key in keys {
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
            let integrity = (try? RunIndex(store: store).integrity()) ?? ["cannot open the run index"]
            if integrity != ["ok"] { report.indexProblems = integrity }
        }
        if repair {
            for digest in report.corruptedBlobs { unlink(store.blobPath(digest)) }
            for key in report.brokenRecords + report.incompleteRecords { unlink(store.recordPath(key)) }
            for name in report.leftoverTemporaryFiles { unlink("\(store.temporaryFolder)/\(name)") }
            report.repaired = true
        }
        return report
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
            // Packages (bundle, ONNX) are artifacts of the run without a stage.
            liveBlobs.formUnion(results.artifacts.values)
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
