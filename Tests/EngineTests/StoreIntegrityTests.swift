import Foundation
import XCTest
@testable import Engine
import Packaging

/// Corruption is detected and recomputed, never used; failures leave a valid store.
final class StoreIntegrityTests: XCTestCase {
    private var fixture: EngineFixture!

    override func setUpWithError() throws {
        fixture = try EngineFixture()
    }

    override func tearDown() {
        fixture.remove()
    }

    private func flipByte(ofBlob digest: String, in store: ContentStore) throws {
        let path = store.blobPath(digest)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func testBlobsRoundTripAndAFlippedByteIsDetected() throws {
        let store = try ContentStore.open(fixture.storePath)
        let digest = try store.put(Data("hello store".utf8))
        XCTAssertEqual(digest, Hashing.sha256("hello store"))
        XCTAssertEqual(try store.read(digest), Data("hello store".utf8))
        try flipByte(ofBlob: digest, in: store)
        XCTAssertThrowsError(try store.read(digest)) { error in
            XCTAssertEqual(error as? StoreError, .corrupted(digest: digest))
        }
        XCTAssertTrue(store.temporaryFiles().isEmpty, "no temporary file survives a finished write")
    }

    func testADamagedRecordIsNotTrusted() throws {
        let store = try ContentStore.open(fixture.storePath)
        let blob = try store.put(Data("x".utf8))
        let key = Hashing.sha256("some stage")
        try store.write(StageRecord(key: key, kind: "fit", name: "fit", outputs: ["scores": blob], seconds: 1, log: [], runnerVersion: "0", created: Date()))
        XCTAssertNotNil(store.cachedRecord(for: key))
        let path = store.recordPath(key)
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"seconds\":1", with: "\"seconds\":2")
        XCTAssertTrue(text.contains("\"seconds\":2"))
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertNil(store.record(for: key), "the checksum no longer matches")
        XCTAssertEqual(StoreMaintenance.fsck(store, repair: false).brokenRecords, [key])
    }

    func testAStoreFromAFutureRunnerIsRefused() throws {
        try FileManager.default.createDirectory(atPath: fixture.storePath, withIntermediateDirectories: true)
        try "runner-store 9\n".write(toFile: fixture.storePath + "/format", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ContentStore.open(fixture.storePath)) { error in
            XCTAssertEqual(error as? StoreError, .futureFormat(path: fixture.storePath, found: 9, supported: ContentStore.format))
            XCTAssertTrue("\(error)".contains("newer runner"))
        }
    }

    func testAFolderThatIsNotAStoreIsRefused() throws {
        try FileManager.default.createDirectory(atPath: fixture.storePath, withIntermediateDirectories: true)
        try "mine".write(toFile: fixture.storePath + "/notes.txt", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ContentStore.open(fixture.storePath)) { error in
            XCTAssertEqual(error as? StoreError, .notAStore(fixture.storePath))
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: fixture.storePath + "/notes.txt"), "nothing of the user's is touched")
    }

    func testACorruptedBlobThatARunReadsIsRecomputed() throws {
        let first = try fixture.run()
        let store = try ContentStore.open(fixture.storePath)
        let leaderboard = first.results.artifacts["leaderboard"]!
        try flipByte(ofBlob: leaderboard, in: store)
        let second = try fixture.run()
        XCTAssertEqual(second.warnings.count, 1, "\(second.warnings)")
        XCTAssertTrue(second.warnings.first?.contains("corrupted") == true, "\(second.warnings)")
        XCTAssertEqual(second.lock, first.lock)
        XCTAssertEqual(try store.read(leaderboard).count > 0, true, "the blob was rewritten intact")
        XCTAssertTrue(StoreMaintenance.fsck(store, repair: false).isClean)
    }

    func testACorruptedInputOfARerunningStageIsRecomputed() throws {
        let first = try fixture.run()
        let store = try ContentStore.open(fixture.storePath)
        try flipByte(ofBlob: first.results.artifacts["dataset"]!, in: store)
        // A new grid value makes fits run, and they read the dataset.
        try fixture.write(spec: EngineFixture.baseSpec.replacingOccurrences(of: "C: [0.1, 1]", with: "C: [0.1, 2]"))
        let second = try fixture.run()
        XCTAssertTrue(second.warnings.contains { $0.contains("corrupted") && $0.contains("'load'") }, "\(second.warnings)")
        XCTAssertEqual(second.results.artifacts["dataset"], first.results.artifacts["dataset"])
        XCTAssertTrue(StoreMaintenance.fsck(store, repair: false).isClean)
    }

    func testFsckFindsAndRepairsAFlippedByte() throws {
        let first = try fixture.run()
        let store = try ContentStore.open(fixture.storePath)
        XCTAssertTrue(StoreMaintenance.fsck(store, repair: false).isClean)
        let model = first.results.artifacts["model"]!
        try flipByte(ofBlob: model, in: store)
        let report = StoreMaintenance.fsck(store, repair: false)
        XCTAssertEqual(report.corruptedBlobs, [model])
        XCTAssertEqual(report.incompleteRecords.count, 1, "the refit record points at it")
        XCTAssertTrue(StoreMaintenance.fsck(store, repair: true).repaired)
        XCTAssertTrue(StoreMaintenance.fsck(store, repair: false).isClean)
        let second = try fixture.run()
        XCTAssertEqual(EngineFixture.computed(second.execution), ["refit"], "only the repaired stage reruns")
        XCTAssertEqual(second.lock, first.lock)
    }

    func testDataChangedAfterPlanningIsAnError() throws {
        let prepared = try fixture.prepare()
        var text = try String(contentsOfFile: fixture.dataPath, encoding: .utf8)
        text += ""
        try (text + "\n").write(toFile: fixture.dataPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Session.execute(prepared, options: ExecutionOptions(jobs: 2))) { error in
            guard case ExecutionFailure.failed(let failure, let finished) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(failure.description.contains("changed after the run was planned"), failure.description)
            XCTAssertEqual(finished, 0)
        }
    }

    func testAFailingStageStopsTheRunAndKeepsFinishedStages() throws {
        let spec = EngineFixture.baseSpec.replacingOccurrences(of: "{name: nb, type: gaussian_nb}", with: "{name: knn, type: k_neighbors, params: {n_neighbors: 250}}")
        try fixture.write(spec: spec)
        let prepared = try fixture.prepare()
        XCTAssertThrowsError(try Session.execute(prepared, options: ExecutionOptions(jobs: 1))) { error in
            guard case ExecutionFailure.failed(let failure, let finished) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(failure.description.contains("fit knn fold 1/3"), failure.description)
            XCTAssertTrue(failure.description.contains("n_neighbors"), failure.description)
            XCTAssertGreaterThanOrEqual(finished, 2)
        }
        // The finished stages were kept: after fixing the spec only the new candidate and what follows run.
        try fixture.write(spec: spec.replacingOccurrences(of: "n_neighbors: 250", with: "n_neighbors: 5"))
        let fixed = try fixture.run(jobs: 1)
        XCTAssertEqual(fixed.execution.outcomes.first { $0.name == "load" }?.cached, true)
        XCTAssertEqual(fixed.execution.outcomes.first { $0.name == "fit logreg{C=0.1} fold 1/3" }?.cached, true)
    }

    func testCancellingKeepsFinishedStagesAndARerunCompletes() throws {
        let reference = try fixture.run(store: fixture.folder.appendingPathComponent("reference").path).lock
        let prepared = try fixture.prepare()
        let flag = CancellationFlag()
        XCTAssertThrowsError(try Session.execute(prepared, options: ExecutionOptions(jobs: 1), cancellation: flag, report: { event in
            if case .stageFinished(let name, _, _) = event, name.hasPrefix("fit") { flag.cancel() }
        })) { error in
            guard case ExecutionFailure.cancelled(let finished) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(finished, 3, "load, split and the fit that was running")
        }
        let resumed = try fixture.run()
        XCTAssertEqual(resumed.execution.outcomes.filter(\.cached).count, 3)
        XCTAssertEqual(resumed.lock.stages, reference.stages)
    }

    func testMissingDataFileIsASpecError() throws {
        try FileManager.default.removeItem(atPath: fixture.dataPath)
        XCTAssertThrowsError(try fixture.prepare()) { error in
            XCTAssertTrue("\(error)".contains("data/penguins.csv"), "\(error)")
        }
    }

    func testGarbageCollectionKeepsWhatRunsReference() throws {
        _ = try fixture.run()
        try fixture.write(spec: EngineFixture.baseSpec.replacingOccurrences(of: "seed: 7", with: "seed: 8"))
        let second = try fixture.run()
        let store = try ContentStore.open(fixture.storePath)
        let before = store.allRecordKeys().count
        // Both runs are recorded, so nothing is garbage yet.
        var report = try StoreMaintenance.collectGarbage(store, grace: 0, dryRun: false)
        XCTAssertEqual(report.removedRecords, 0)
        // Forget the first run: its stages become garbage.
        let index = try RunIndex(store: store)
        let runs = try index.list()
        XCTAssertEqual(runs.count, 2)
        try FileManager.default.removeItem(atPath: store.indexPath)
        try RunIndex(store: store).record(runs.first { $0.id == second.results.runID }!)
        report = try StoreMaintenance.collectGarbage(store, grace: 0, dryRun: false)
        XCTAssertEqual(report.removedRecords, before - second.execution.outcomes.count)
        XCTAssertTrue(StoreMaintenance.fsck(store, repair: false).isClean)
        let third = try fixture.run()
        XCTAssertEqual(EngineFixture.computed(third.execution), [], "everything the kept run needs survived")
    }
}

final class ArtifactCodingTests: XCTestCase {
    func testSplitIndicesRoundTripAndRejectDamage() throws {
        let split = SplitIndices(train: [0, 2, 5, 7], test: [1, 3], folds: [.init(train: [0, 1], validation: [2, 3]), .init(train: [2, 3], validation: [0, 1])])
        let bytes = split.encoded()
        XCTAssertEqual(try SplitIndices(decoding: bytes), split)
        XCTAssertEqual(try SplitIndices(decoding: bytes.dropFirst(0)), split, "works on a slice too")
        XCTAssertThrowsError(try SplitIndices(decoding: bytes.prefix(bytes.count - 4)))
        XCTAssertThrowsError(try SplitIndices(decoding: bytes + Data([0, 0, 0, 0])))
        XCTAssertThrowsError(try SplitIndices(decoding: Data("nope".utf8)))
    }

    func testStageKeysChangeWithEveryComponent() {
        let params = Data("{\"a\":1}".utf8)
        let base = Stage.key(kind: .fit, params: params, inputs: ["dataset": "d1", "split": "s1"])
        XCTAssertEqual(base, Stage.key(kind: .fit, params: params, inputs: ["split": "s1", "dataset": "d1"]), "input order does not matter")
        XCTAssertNotEqual(base, Stage.key(kind: .refit, params: params, inputs: ["dataset": "d1", "split": "s1"]))
        XCTAssertNotEqual(base, Stage.key(kind: .fit, params: Data("{\"a\":2}".utf8), inputs: ["dataset": "d1", "split": "s1"]))
        XCTAssertNotEqual(base, Stage.key(kind: .fit, params: params, inputs: ["dataset": "d2", "split": "s1"]))
        XCTAssertNotEqual(base, Stage.key(kind: .fit, params: params, inputs: ["dataset": "s1", "split": "d1"]))
    }
}
