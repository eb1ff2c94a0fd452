import Foundation

/// Why the store could not be used. Every case reads as a complete message.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// A system call failed; `code` is errno.
    case system(String, Int32)
    /// The store was written by a newer runner.
    case futureFormat(path: String, found: Int, supported: Int)
    /// The path holds something that is not a runner store.
    case notAStore(String)
    /// A blob's content does not match its name.
    case corrupted(digest: String)
    case missing(digest: String)
    /// The run index (SQLite) failed; the message says how.
    case index(String)

    public var description: String {
        switch self {
        case .system(let what, let code):
            let reason = String(cString: strerror(code))
            var hint = ""
            if code == ENOSPC { hint = " (the disk is full: free space and rerun; finished stages are kept)" }
            if code == EROFS || code == EACCES { hint = " (choose a writable store with --store or RUNNER_STORE)" }
            return "\(what): \(reason)\(hint)"
        case .futureFormat(let path, let found, let supported):
            return "the store at \(path) was written by a newer runner (store format \(found); this runner reads format \(supported)); upgrade runner or use another --store"
        case .notAStore(let path):
            return "\(path) exists but is not a runner store (no 'format' file); choose another --store"
        case .corrupted(let digest):
            return "blob \(digest.prefix(12)) is corrupted (its content does not match its digest)"
        case .missing(let digest):
            return "blob \(digest.prefix(12)) is missing from the store"
        case .index(let message):
            return message
        }
    }
}
