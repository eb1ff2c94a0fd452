import Foundation
import XCTest
@testable import Engine

/// A read-only disk and a disk that fills up mid-run, on real file systems (a tmpfs mounted
/// for the test; skipped where the test may not mount).
final class StorageFailureTests: XCTestCase {
    private var fixture: EngineFixture!
    private var mountPoint: String!

    override func setUpWithError() throws {
        fixture = try EngineFixture()
        mountPoint = fixture.folder.appendingPathComponent("disk").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
    }

    override func tearDown() {
        _ = shell("/bin/umount", [mountPoint])
        fixture.remove()
    }

    private func shell(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    private func mountTmpfs(_ options: String) throws {
        guard FileManager.default.isExecutableFile(atPath: "/bin/mount"),
              shell("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", mountPoint]) == 0 else {
            throw XCTSkip("cannot mount a tmpfs here (needs root)")
        }
    }

    func testAReadOnlyStoreGivesAClearError() throws {
        try mountTmpfs("ro,size=1m")
        XCTAssertThrowsError(try fixture.prepare(store: mountPoint + "/store")) { error in
            XCTAssertTrue("\(error)".contains("Read-only file system"), "\(error)")
            XCTAssertTrue("\(error)".contains("--store"), "says how to fix it: \(error)")
        }
    }

    func testADiskThatFillsUpStopsTheRunAndLeavesAValidStore() throws {
        // Room for the store's skeleton (format file, run index with its six tables) and a
        // few blobs, not for the whole run.
        try mountTmpfs("size=72k")
        let store = mountPoint + "/store"
        let prepared = try fixture.prepare(store: store)
        XCTAssertThrowsError(try Session.execute(prepared, options: ExecutionOptions(jobs: 2))) { error in
            guard case ExecutionFailure.store(let failure) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(failure.description.contains("disk is full"), failure.description)
        }
        let contentStore = try ContentStore.open(store)
        let report = StoreMaintenance.fsck(contentStore, repair: false)
        XCTAssertTrue(report.isClean, "\(report)")
        XCTAssertTrue(contentStore.temporaryFiles().isEmpty, "failed writes remove their temporary files")
        // With room again (same files, bigger disk), the rerun finishes and reuses what finished.
        _ = shell("/bin/mount", ["-o", "remount,size=8m", mountPoint])
        let rerun = try fixture.run(store: store)
        XCTAssertGreaterThan(rerun.execution.outcomes.filter(\.cached).count, 0)
        let reference = try fixture.run(store: fixture.folder.appendingPathComponent("reference").path)
        XCTAssertEqual(rerun.lock.stages, reference.lock.stages)
    }
}
