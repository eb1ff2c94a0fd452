import Foundation
import Packaging

/// The content digest of a data source, remembered by the file's identity (path, size,
/// modification time, inode) so an unchanged large file is hashed once, not on every run.
public struct DataDigest: Sendable, Equatable, Codable {
    public var digest: String
    public var size: Int
    /// Identity of the file as stat(2) saw it; a change means the file changed.
    var identity: String

    /// Digest of the file at `path`, from the store's cache when its identity is unchanged.
    public static func of(file path: String, store: ContentStore?) throws(StoreError) -> DataDigest {
        let identity = try fileIdentity(path)
        let cachePath = store.map { $0.path("hashes/\(Hashing.sha256(identity.text))") }
        if let cachePath, let data = FileManager.default.contents(atPath: cachePath),
           let cached = try? CanonicalJSON.decode(DataDigest.self, from: data), cached.identity == identity.text {
            return cached
        }
        let (digest, size) = try Hashing.sha256(file: path)
        let result = DataDigest(digest: digest, size: size, identity: identity.text)
        // The file must not have changed while it was read; otherwise the digest names neither version.
        guard try fileIdentity(path).text == identity.text else {
            throw StoreError.system("\(path) changed while it was being hashed; rerun when it is stable", EAGAIN)
        }
        if let store, let cachePath {
            // A cache that cannot be written (read-only store) only costs a re-hash next time.
            try? AtomicFile.write(CanonicalJSON.encode(result), to: cachePath, temporaryFolder: store.temporaryFolder)
        }
        return result
    }

    /// Path, size, modification time (ns) and inode, as one string.
    static func fileIdentity(_ path: String) throws(StoreError) -> (text: String, size: Int) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw StoreError.system("cannot read \(path)", errno) }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        #if canImport(Darwin)
        let modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #else
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #endif
        return ("\(absolute)\u{0}\(info.st_size)\u{0}\(modified)\u{0}\(info.st_ino)\u{0}\(info.st_dev)", Int(info.st_size))
    }
}
