#if canImport(Glibc)
import Glibc
#endif

/// Reads whole files with POSIX calls: one exact-size buffer, no intermediate copies.
enum FileBytes {
    /// The readers address bytes with 32-bit offsets; nothing larger is read into memory, so
    /// an endless source fails with a message instead of exhausting memory.
    static let limit = (1 << 31) - 1

    static func read(path: String) throws(DataError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DataError(path: path, message: describe(errno: errno)) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw DataError(path: path, message: describe(errno: errno)) }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { throw DataError(path: path, message: "is a directory, not a data file") }
        // A device (/dev/zero, a terminal) is no data file and may never end; pipes are read.
        guard (info.st_mode & S_IFMT) != S_IFCHR, (info.st_mode & S_IFMT) != S_IFBLK else {
            throw DataError(path: path, message: "is a device, not a data file")
        }
        let size = Int(info.st_size)
        guard size <= limit else { throw DataError(path: path, message: "files over 2 GiB are not supported yet; split the file") }
        var failure: Int32 = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let count = Glibc.read(descriptor, buffer.baseAddress! + done, size - done)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if count == 0 { break }
                done += count
            }
            initialized = done
        }
        if failure != 0 { throw DataError(path: path, message: describe(errno: failure)) }
        // A file that grew while we read it (or a pipe) keeps going, up to the limit.
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count <= 0 { break }
            guard bytes.count + count <= limit else { throw DataError(path: path, message: "more than 2 GiB of data; files over 2 GiB are not supported yet") }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    static func describe(errno code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file"
        case EACCES: return "permission denied"
        case EISDIR: return "is a directory, not a data file"
        default: return String(cString: strerror(code)).lowercased()
        }
    }
}
