import Synchronization

/// The API keys in force: read from the keys file at start and again on SIGHUP, so keys are
/// added or revoked without a restart. A file that no longer reads keeps the keys in force.
final class KeyStore: Sendable {
    let path: String
    private let current: Mutex<APIKeys>

    init(path: String) throws(ServeStartError) {
        self.path = path
        current = Mutex(try APIKeys.load(path: path))
    }

    var keys: APIKeys { current.withLock { $0 } }

    /// Reads the file again; throws (and keeps the old keys) when it does not read.
    func reload() throws(ServeStartError) -> Int {
        let fresh = try APIKeys.load(path: path)
        current.withLock { $0 = fresh }
        return fresh.entries.count
    }
}
