import Crypto
import Packaging

/// Where the key of encrypted bundles comes from: an environment variable or a file, never
/// the command line (it would show in `ps` and shell history). Read when a bundle is
/// (re)loaded, so a rotated key file takes effect on reload; never logged.
public enum BundleKeySource: Sendable, Equatable {
    case environment(String)
    case file(String)

    func key() throws(BundleError) -> SymmetricKey {
        switch self {
        case .environment(let name): return try BundleKeys.encryptionKey(environment: name, file: nil)
        case .file(let path): return try BundleKeys.encryptionKey(environment: nil, file: path)
        }
    }
}
