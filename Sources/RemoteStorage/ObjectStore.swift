import Foundation

/// Where a remote store keeps its objects: an S3-compatible bucket or a shared folder. Keys
/// are relative paths (`objects/<sha256>`, `stages/<key>`). Every call is synchronous (the
/// engine's stages run on threads of their own) and either does what it says or throws; a
/// write is all or nothing, so a reader never sees part of an object.
public protocol ObjectStore: Sendable {
    /// The URL as the user wrote it (never a credential), for messages.
    var location: String { get }
    /// The object's bytes; nil when there is none.
    func get(_ key: String) throws(RemoteError) -> Data?
    func put(_ key: String, _ data: Data) throws(RemoteError)
    func exists(_ key: String) throws(RemoteError) -> Bool
    /// Every key under `prefix` (e.g. `objects/`).
    func list(prefix: String) throws(RemoteError) -> [String]
    /// Reachable, credentials accepted, bucket or folder there: a clear error now rather
    /// than in the middle of a run.
    func check() throws(RemoteError)
}

/// Why the remote could not be used; each names the remote's URL and the cause.
public struct RemoteError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case unreachable, credentials, noBucket, denied, corrupt, invalid, failed
    }
    public var kind: Kind
    public var location: String
    public var message: String

    public init(_ kind: Kind, _ location: String, _ message: String) {
        self.kind = kind
        self.location = location
        self.message = message
    }

    public var description: String { "remote \(location): \(message)" }
}

/// `s3://bucket/prefix` (any S3-compatible service) or `file:///path` (a shared filesystem).
public enum RemoteLocation {
    public static func open(_ url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(RemoteError) -> any ObjectStore {
        if url.hasPrefix("file://") {
            let path = String(url.dropFirst("file://".count))
            guard path.hasPrefix("/") else { throw RemoteError(.invalid, url, "a file remote is an absolute path: file:///shared/runner") }
            return FileObjectStore(root: path, location: url)
        }
        if url.hasPrefix("s3://") {
            let rest = url.dropFirst("s3://".count)
            let bucket = String(rest.prefix { $0 != "/" })
            var prefix = String(rest.dropFirst(bucket.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if !prefix.isEmpty { prefix += "/" }
            guard S3ObjectStore.isBucketName(bucket) else {
                throw RemoteError(.invalid, url, "'\(bucket)' is not an S3 bucket name (3 to 63 lower-case letters, digits, '.' and '-')")
            }
            return try S3ObjectStore(bucket: bucket, prefix: prefix, location: url, environment: environment)
        }
        throw RemoteError(.invalid, url, "not a remote: write s3://BUCKET/PREFIX or file:///PATH")
    }
}
