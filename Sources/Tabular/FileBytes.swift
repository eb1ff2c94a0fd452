#if canImport(Glibc)
import Glibc
#endif

/// Reads whole files with POSIX calls: one exact-size buffer, no intermediate copies.
enum FileBytes {
    static func read(path: String) throws(DataError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DataError(path: path, message: describe(errno: errno)) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw DataError(path: path, message: describe(errno: errno)) }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { throw DataError(path: path, message: "is a directory, not a data file") }
        let size = Int(info.st_size)
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
        // A file that grew while we read it (or a pipe) keeps going.
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count <= 0 { break }
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
