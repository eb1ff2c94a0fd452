import Foundation

/// Writes whole files so that a reader sees either the old file or the complete new one,
/// even if the process is killed or the machine loses power: write a temporary file in the
/// same file system, fsync it, rename it over the target, fsync the folder.
enum AtomicFile {
    static func write(_ data: Data, to path: String, temporaryFolder: String) throws(StoreError) {
        let temporary = "\(temporaryFolder)/\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw StoreError.system("cannot create a file in \(temporaryFolder)", errno) }
        var failure: StoreError?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = .system("cannot write \(path)", errno)
                    return
                }
                offset += written
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = .system("cannot sync \(path)", errno) }
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw failure
        }
        let folder = (path as NSString).deletingLastPathComponent
        if rename(temporary, path) != 0 {
            // The first write into a new fan-out folder: make it and retry once.
            if errno == ENOENT {
                try makeFolder(folder)
                if rename(temporary, path) == 0 {
                    syncFolder(folder)
                    return
                }
            }
            let code = errno
            unlink(temporary)
            throw StoreError.system("cannot move a finished file into \(folder)", code)
        }
        syncFolder(folder)
    }

    /// A whole small file with plain system calls (cache lookups read thousands of them);
    /// nil when it cannot be read.
    static func read(_ path: String) -> Data? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        var data = Data(count: Int(info.st_size))
        let complete = data.withUnsafeMutableBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = Foundation.read(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return false }
                offset += count
            }
            return true
        }
        return complete ? data : nil
    }

    /// mkdir -p; several processes may create the same folder at once.
    static func makeFolder(_ path: String) throws(StoreError) {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        if errno == ENOENT {
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty && parent != path { try makeFolder(parent) }
            if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        }
        throw StoreError.system("cannot create \(path)", errno)
    }

    /// Makes a rename durable: the folder entry itself must reach the disk.
    static func syncFolder(_ path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
