import Foundation
import Packaging
import RemoteStorage

/// A local store kept in step with a remote one (`--remote s3://...`, `runner push`, `runner
/// pull`): the remote holds `objects/<sha256>` (blobs) and `stages/<key>` (stage records, with
/// their checksum line), the same bytes as the local store. Content addressing makes every
/// upload idempotent (an object that exists is not sent again) and lets concurrent writers of
/// one key write the same bytes; a blob is uploaded before the record naming it, so a record
/// on the remote always has its outputs; everything downloaded is checked (blobs against their
/// digest, records against their checksum) and refused, with a warning, when it does not match.
public struct RemoteSync: Sendable {
    public let remote: any ObjectStore
    let store: ContentStore
    /// Transfers at once (push, pull).
    public var parallel = 8

    public init(remote: any ObjectStore, store: ContentStore) {
        self.remote = remote
        self.store = store
    }

    static func blobKey(_ digest: String) -> String { "objects/\(digest)" }
    static func recordKey(_ key: String) -> String { "stages/\(key)" }

    /// The stage `key` from the remote into the local store: its record and output blobs.
    /// nil when the remote does not have it, or what it has is refused (then `warn` hears why
    /// and the stage is recomputed).
    func fetch(key: String, warn: (String) -> Void) throws -> StageRecord.Summary? {
        guard let data = try remote.get(Self.recordKey(key)) else { return nil }
        guard let summary = StageRecord.summary(data), summary.key == key else {
            warn("\(remote.location): the record of stage \(key.prefix(12)) is damaged; refused, recomputing the stage")
            return nil
        }
        for digest in Set(summary.outputs.values) where !store.contains(digest) {
            guard let blob = try remote.get(Self.blobKey(digest)) else { return nil }
            guard Hashing.sha256(blob) == digest else {
                warn("\(remote.location): object \(digest.prefix(12)) does not match its digest (changed or damaged on the server); refused, recomputing the stage")
                return nil
            }
            try store.put(blob, digest: digest)
        }
        try AtomicFile.write(data, to: store.recordPath(key), temporaryFolder: store.temporaryFolder)
        return summary
    }

    /// Sends a stage the local store holds: its output blobs, then its record; what the remote
    /// already has is not sent again.
    func publish(key: String, outputs: [String]) throws {
        for digest in Set(outputs) where try !remote.exists(Self.blobKey(digest)) {
            try remote.put(Self.blobKey(digest), try store.read(digest))
        }
        if try !remote.exists(Self.recordKey(key)), let data = AtomicFile.read(store.recordPath(key)) {
            try remote.put(Self.recordKey(key), data)
        }
    }

    public struct Transfer: Sendable, Equatable {
        public var blobs = 0
        public var records = 0
        public var bytes = 0
        /// Already on the other side.
        public var skipped = 0
        /// Refused downloads (wrong digest or checksum).
        public var refused = 0
    }

    /// Every blob and record of the local store the remote lacks (blobs first).
    public func push() throws -> Transfer {
        let remoteBlobs = Set(try remote.list(prefix: "objects/").map { String($0.dropFirst("objects/".count)) })
        let remoteRecords = Set(try remote.list(prefix: "stages/").map { String($0.dropFirst("stages/".count)) })
        let blobs = store.allBlobs().filter { !remoteBlobs.contains($0) }
        let records = store.allRecordKeys().filter { key in !remoteRecords.contains(key) && store.record(for: key) != nil }
        var transfer = Transfer()
        transfer.skipped = store.allBlobs().count - blobs.count + store.allRecordKeys().count - records.count
        let counts = Counter()
        try inParallel(blobs) { digest in
            let data = try store.read(digest)
            try remote.put(Self.blobKey(digest), data)
            counts.add(bytes: data.count)
        }
        transfer.blobs = blobs.count
        try inParallel(records) { key in
            guard let data = AtomicFile.read(store.recordPath(key)) else { return }
            try remote.put(Self.recordKey(key), data)
            counts.add(bytes: data.count)
        }
        transfer.records = records.count
        transfer.bytes = counts.bytes
        return transfer
    }

    /// Every blob and record of the remote the local store lacks, each checked before it is kept.
    public func pull(warn: @escaping @Sendable (String) -> Void) throws -> Transfer {
        let blobs = try remote.list(prefix: "objects/").map { String($0.dropFirst("objects/".count)) }.filter { Self.isDigest($0) && !store.contains($0) }
        let records = try remote.list(prefix: "stages/").map { String($0.dropFirst("stages/".count)) }.filter { store.record(for: $0) == nil }
        var transfer = Transfer()
        let counts = Counter()
        try inParallel(blobs) { digest in
            guard let data = try remote.get(Self.blobKey(digest)) else { return }
            guard Hashing.sha256(data) == digest else {
                warn("\(remote.location): object \(digest.prefix(12)) does not match its digest; refused")
                counts.refuse(blob: true)
                return
            }
            try store.put(data, digest: digest)
            counts.add(bytes: data.count)
        }
        try inParallel(records) { key in
            guard let data = try remote.get(Self.recordKey(key)) else { return }
            guard let record = StageRecord.read(data), record.key == key else {
                warn("\(remote.location): the record of stage \(key.prefix(12)) is damaged; refused")
                counts.refuse(blob: false)
                return
            }
            try AtomicFile.write(data, to: store.recordPath(key), temporaryFolder: store.temporaryFolder)
            counts.add(bytes: data.count)
        }
        transfer.refused = counts.refusedBlobs + counts.refusedRecords
        transfer.blobs = blobs.count - counts.refusedBlobs
        transfer.records = records.count - counts.refusedRecords
        transfer.bytes = counts.bytes
        return transfer
    }

    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Runs `body` over `items` on up to `parallel` threads; the first error stops the rest.
    private func inParallel(_ items: [String], _ body: @escaping @Sendable (String) throws -> Void) throws {
        guard !items.isEmpty else { return }
        let next = Counter()
        let failure = FirstError()
        DispatchQueue.concurrentPerform(iterations: min(parallel, items.count)) { _ in
            while failure.error == nil, let index = next.take(below: items.count) {
                do { try body(items[index]) } catch { failure.set(error) }
            }
        }
        if let error = failure.error { throw error }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var taken = 0
        private(set) var bytes = 0
        private(set) var refusedBlobs = 0
        private(set) var refusedRecords = 0
        func take(below limit: Int) -> Int? {
            lock.withLock {
                guard taken < limit else { return nil }
                taken += 1
                return taken - 1
            }
        }
        func add(bytes count: Int) { lock.withLock { bytes += count } }
        func refuse(blob: Bool) { lock.withLock { if blob { refusedBlobs += 1 } else { refusedRecords += 1 } } }
    }

    private final class FirstError: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: (any Error)?
        var error: (any Error)? { lock.withLock { stored } }
        func set(_ error: any Error) { lock.withLock { if stored == nil { stored = error } } }
    }
}
