import Foundation
import Packaging

/// The content-addressed store (default `.runner/` beside the spec): blobs named by the
/// SHA-256 of their content, stage records named by stage key, the data-digest cache and the
/// run index. Every file is written atomically, so a killed process leaves no partial file
/// and several processes can share the store without locks: two writers of one blob write
/// the same bytes, and the last rename wins.
///
/// Layout: `format` (store format version), `objects/ab/cdef…` (blobs),
/// `stages/ab/<key>.json` (stage records), `hashes/` (data digests by file identity),
/// `tmp/` (files being written), `index.sqlite` (runs).
public struct ContentStore: Sendable {
    public static let format = 1
    public let root: String

    /// Opens the store at `root`, creating it when absent.
    /// `restoringFolders`: put back skeleton folders removed by hand (fsck opens without, to report them).
    public static func open(_ root: String, restoringFolders: Bool = true) throws(StoreError) -> ContentStore {
        let store = ContentStore(root: root)
        let skeleton = Self.skeleton
        let formatPath = store.path("format")
        // Listed before `format` is read: a process creating the store writes nothing but the
        // skeleton folders before `format`, so what is seen here while `format` is still
        // missing can only be skeleton. (Read the other way round, a store created meanwhile,
        // with its format file and run index, looked foreign to a second process.)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory)
        let contents = exists ? ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []) : []
        if let text = try? String(contentsOfFile: formatPath, encoding: .utf8) {
            let fields = text.split(whereSeparator: \.isWhitespace)
            guard fields.count == 2, fields[0] == "runner-store", let version = Int(fields[1]) else { throw StoreError.notAStore(root) }
            guard version <= format else { throw StoreError.futureFormat(path: root, found: version, supported: format) }
            // A folder of the skeleton removed by hand would fail every write: put it back.
            if restoringFolders {
                for folder in skeleton where !FileManager.default.fileExists(atPath: store.path(folder)) { try AtomicFile.makeFolder(store.path(folder)) }
            }
            return store
        }
        if exists {
            guard isDirectory.boolValue, contents.allSatisfy({ skeleton.contains($0) }) else {
                throw StoreError.notAStore(root)
            }
        }
        for folder in skeleton { try AtomicFile.makeFolder(store.path(folder)) }
        try AtomicFile.write(Data("runner-store \(format)\n".utf8), to: formatPath, temporaryFolder: store.temporaryFolder)
        return store
    }

    init(root: String) {
        self.root = root
    }

    func path(_ relative: String) -> String { "\(root)/\(relative)" }
    var temporaryFolder: String { path("tmp") }
    public var indexPath: String { path("index.sqlite") }

    public func blobPath(_ digest: String) -> String {
        path("objects/\(digest.prefix(2))/\(digest.dropFirst(2))")
    }

    func recordPath(_ key: String) -> String {
        path("stages/\(key.prefix(2))/\(key).json")
    }

    // MARK: blobs

    /// Stores `data` and returns its digest. An existing blob is trusted here; reads verify it.
    @discardableResult
    public func put(_ data: Data) throws(StoreError) -> String {
        let digest = Hashing.sha256(data)
        try put(data, digest: digest)
        return digest
    }

    /// Stores `data` whose digest the caller has already computed.
    func put(_ data: Data, digest: String) throws(StoreError) {
        let target = blobPath(digest)
        if access(target, F_OK) == 0 { return }
        try AtomicFile.write(data, to: target, temporaryFolder: temporaryFolder)
    }

    /// The blob's content, checked against its digest.
    public func read(_ digest: String) throws(StoreError) -> Data {
        guard let data = AtomicFile.read(blobPath(digest)) else { throw StoreError.missing(digest: digest) }
        guard Hashing.sha256(data) == digest else { throw StoreError.corrupted(digest: digest) }
        return data
    }

    public func contains(_ digest: String) -> Bool {
        access(blobPath(digest), F_OK) == 0
    }

    /// Removes a blob (a corrupted one, or garbage); a missing blob is not an error.
    public func removeBlob(_ digest: String) {
        unlink(blobPath(digest))
    }

    // MARK: stage records

    /// The record for `key`, or nil when there is none or it is damaged.
    public func record(for key: String) -> StageRecord? {
        guard let data = AtomicFile.read(recordPath(key)),
              let record = StageRecord.read(data), record.key == key else { return nil }
        return record
    }

    public func write(_ record: StageRecord) throws(StoreError) {
        try AtomicFile.write(record.fileContents(), to: recordPath(record.key), temporaryFolder: temporaryFolder)
    }

    /// Whether `key` is cached: an intact record whose every output blob is present.
    func cachedRecord(for key: String) -> StageRecord.Summary? {
        guard let data = AtomicFile.read(recordPath(key)),
              let summary = StageRecord.summary(data), summary.key == key,
              summary.outputs.values.allSatisfy(contains) else { return nil }
        return summary
    }

    // MARK: listing (fsck, gc)

    func allBlobs() -> [String] {
        let objects = path("objects")
        var digests: [String] = []
        for prefix in (try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? [] {
            for rest in (try? FileManager.default.contentsOfDirectory(atPath: "\(objects)/\(prefix)")) ?? [] {
                digests.append(prefix + rest)
            }
        }
        return digests.sorted()
    }

    /// The folders every store has.
    static let skeleton = ["tmp", "objects", "stages", "hashes"]

    /// Record file names without `.json` (normally the stage keys).
    func allRecordKeys() -> [String] {
        recordFiles().map(\.key)
    }

    /// Every file in the stage folders: its name without `.json`, and where it is (a file that
    /// is not where its name says, or not named by a key, is a stray).
    func recordFiles() -> [(key: String, path: String)] {
        let stages = path("stages")
        var files: [(key: String, path: String)] = []
        for prefix in (try? FileManager.default.contentsOfDirectory(atPath: stages)) ?? [] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(stages)/\(prefix)")) ?? [] {
                files.append((name.hasSuffix(".json") ? String(name.dropLast(5)) : name, "\(stages)/\(prefix)/\(name)"))
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    func temporaryFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: temporaryFolder)) ?? []).sorted()
    }
}
