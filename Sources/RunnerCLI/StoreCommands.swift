import ArgumentParser
import Engine
import Foundation

struct Fsck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Check every blob, stage record and folder of the store, and its run index.",
        discussion: "Exits 0 when the store is sound (leftover temporary files are only reported), 1 when something is broken, or still broken after --repair."
    )

    @OptionGroup var store: StoreOptions

    @Flag(help: "Remove broken blobs, records and stray files (their stages are recomputed on the next run) and leftover temporary files, recreate missing folders, rebuild a damaged run index from the stored results.")
    var repair = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let contentStore = try openStoreOrExit(store.resolved(spec: nil), restoringFolders: false)
        let report = StoreMaintenance.fsck(contentStore, repair: repair)
        if json {
            print(jsonText(report))
        } else {
            print("\(contentStore.root): \(report.blobs) blobs, \(report.records) stage records")
            for digest in report.corruptedBlobs { print("corrupted blob: \(digest)") }
            for key in report.brokenRecords { print("damaged stage record: \(key)") }
            for key in report.incompleteRecords { print("stage record with a missing or corrupted output: \(key)") }
            for problem in report.indexProblems { print("run index: \(problem)") }
            for folder in report.missingFolders { print("missing folder: \(folder)/") }
            if report.reindexedRuns > 0 { print("run index rebuilt from the store: \(report.reindexedRuns) run\(report.reindexedRuns == 1 ? "" : "s") found") }
            if !report.leftoverTemporaryFiles.isEmpty {
                print("\(report.leftoverTemporaryFiles.count) leftover temporary files from interrupted writes\(repair ? " (removed)" : " (harmless; --repair or gc removes them)")")
            }
            if report.isClean {
                print("ok")
            } else if !repair {
                print("broken: run `runner fsck --repair`, then rerun")
            }
        }
        if !report.isClean && !repair { throw ExitCodes.failure }
        if repair && !report.isClean {
            // Say "repaired" only when a fresh check agrees.
            let after = StoreMaintenance.fsck(contentStore, repair: false)
            guard after.isClean else {
                printError("error: \(contentStore.root) is still broken after repair: \(after.corruptedBlobs.count + after.brokenRecords.count + after.incompleteRecords.count) entries, index: \(after.indexProblems.joined(separator: "; ")), missing: \(after.missingFolders.joined(separator: ", "))")
                throw ExitCodes.failure
            }
            if !json { print("repaired: broken entries removed (the next run recomputes them); a fresh check finds nothing") }
        }
    }
}

struct GC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove blobs and stage records that no recorded run references."
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Keep anything written less than this many seconds ago (a run in progress may not be recorded yet).")
    var grace: Double = 3600

    @Flag(name: .customLong("dry-run"), help: "Only say what would be removed.")
    var dryRun = false

    func run() throws {
        let contentStore = try openStoreOrExit(store.resolved(spec: nil))
        do {
            let report = try StoreMaintenance.collectGarbage(contentStore, grace: grace, dryRun: dryRun)
            let verb = dryRun ? "would remove" : "removed"
            print("\(verb) \(report.removedBlobs) blobs (\(report.freedBytes) bytes), \(report.removedRecords) stage records, \(report.removedTemporaryFiles) temporary files; kept \(report.keptBlobs) blobs, \(report.keptRecords) records")
        } catch {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        }
    }
}
