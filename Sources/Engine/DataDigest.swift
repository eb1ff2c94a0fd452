import Crypto
import Foundation
import Packaging
import Tabular

/// The content digest of a data source, remembered by the source's identity (for a file:
/// path, size, modification time, inode) so unchanged large data is hashed once, not on
/// every run.
public struct DataDigest: Sendable, Equatable, Codable {
    public var digest: String
    public var size: Int
    /// The source's identity when it was hashed; a change means the data changed.
    var identity: String

    /// Digest of `source`, from the store's cache when its identity is unchanged.
    public static func of(_ source: any DataSource, store: ContentStore?) throws(EngineError) -> DataDigest {
        let identity = try identity(of: source)
        let cachePath = store.map { $0.path("hashes/\(Hashing.sha256(identity))") }
        if let cachePath, let data = FileManager.default.contents(atPath: cachePath),
           let cached = try? CanonicalJSON.decode(DataDigest.self, from: data), cached.identity == identity {
            return cached
        }
        var hasher = SHA256()
        var size = 0
        do {
            try source.streamContent { chunk in
                hasher.update(bufferPointer: chunk)
                size += chunk.count
            }
        } catch {
            throw .data(error.description)
        }
        let result = DataDigest(digest: Hashing.hex(hasher.finalize()), size: size, identity: identity)
        // The data must not have changed while it was read; otherwise the digest names neither version.
        guard try Self.identity(of: source) == identity else {
            throw .data("\(source) changed while it was being hashed; rerun when it is stable")
        }
        if let store, let cachePath {
            // A cache that cannot be written (read-only store) only costs a re-hash next time.
            try? AtomicFile.write(CanonicalJSON.encode(result), to: cachePath, temporaryFolder: store.temporaryFolder)
        }
        return result
    }

    static func identity(of source: any DataSource) throws(EngineError) -> String {
        do {
            return try source.identity()
        } catch {
            throw .data(error.description)
        }
    }
}
