import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A remote store in a folder every machine mounts (NFS, a CI cache volume): objects are
/// files, written to a temporary name, flushed and renamed into place.
public struct FileObjectStore: ObjectStore {
    public let root: String
    public let location: String

    public init(root: String, location: String) {
        self.root = root
        self.location = location
    }

    private func path(_ key: String) -> String { root + "/" + key }

    public func check() throws(RemoteError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw RemoteError(.noBucket, location, "no such folder \(root) (create it first)")
        }
        guard access(root, W_OK) == 0 else { throw RemoteError(.denied, location, "cannot write to \(root)") }
    }

    public func get(_ key: String) throws(RemoteError) -> Data? {
        guard FileManager.default.fileExists(atPath: path(key)) else { return nil }
        guard let data = FileManager.default.contents(atPath: path(key)) else { throw RemoteError(.failed, location, "cannot read \(key)") }
        return data
    }

    public func exists(_ key: String) throws(RemoteError) -> Bool {
        FileManager.default.fileExists(atPath: path(key))
    }

    public func put(_ key: String, _ data: Data) throws(RemoteError) {
        let target = path(key)
        let folder = (target as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RemoteError(.denied, location, "cannot create \(folder): \(error.localizedDescription)")
        }
        let temporary = "\(folder)/.\(UUID().uuidString).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw RemoteError(.denied, location, "cannot write \(key): \(String(cString: strerror(errno)))") }
        var failed: Int32 = 0
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failed = errno
                    return
                }
                offset += written
            }
        }
        if failed == 0, fsync(descriptor) != 0 { failed = errno }
        close(descriptor)
        guard failed == 0, rename(temporary, target) == 0 else {
            let code = failed != 0 ? failed : errno
            unlink(temporary)
            throw RemoteError(.failed, location, "cannot write \(key): \(String(cString: strerror(code)))")
        }
    }

    public func list(prefix: String) throws(RemoteError) -> [String] {
        let base = path(prefix)
        guard let names = FileManager.default.enumerator(atPath: base) else { return [] }
        var keys: [String] = []
        for case let name as String in names where !(name as NSString).lastPathComponent.hasPrefix(".") {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + name, isDirectory: &isFolder), !isFolder.boolValue { keys.append(prefix + name) }
        }
        return keys.sorted()
    }
}
