import Crypto
import Foundation
import Learn
import Packaging

/// A bundle as the server holds it: decoded and checked once, named, with the digest of its
/// file (what `/metrics` and the prediction log name) and the tensors it advertises.
struct ServedModel: Sendable {
    struct Tensor: Sendable, Equatable {
        var name: String
        var datatype: TensorDatatype
        /// [-1] for one value per row.
        var shape: [Int]
    }

    var name: String
    var path: String
    var bundle: ModelBundle
    /// SHA-256 of the bundle file.
    var digest: String
    var loadSeconds: Double
    var inputs: [Tensor]
    var outputs: [Tensor]

    init(name: String, path: String, bundle: ModelBundle, digest: String, loadSeconds: Double) {
        self.name = name
        self.path = path
        self.bundle = bundle
        self.digest = digest
        self.loadSeconds = loadSeconds
        inputs = bundle.manifest.inputSchema.fields.map { Tensor(name: $0.name, datatype: .advertised(for: $0.kind), shape: [-1]) }
        if let classes = bundle.manifest.classes {
            outputs = [Tensor(name: Self.labelOutput, datatype: .bytes, shape: [-1])]
                + classes.map { Tensor(name: Self.probabilityPrefix + $0, datatype: .fp64, shape: [-1]) }
        } else {
            outputs = [Tensor(name: Self.valueOutput, datatype: .fp64, shape: [-1])]
        }
    }

    static let labelOutput = "label"
    static let valueOutput = "prediction"
    static let probabilityPrefix = "proba_"

    /// The model version the protocol reports: the first 12 hex digits of the file's digest,
    /// so a reload of a changed bundle shows as a new version.
    var version: String { String(digest.prefix(12)) }

    var classes: [String]? { bundle.manifest.classes }

    /// Reads and checks the bundle at `path`; the key opens an encrypted one; with `trust`, a
    /// bundle that key did not sign is refused. An empty `name` takes the experiment's.
    static func load(name: String, path: String, key: BundleKeySource?, trust: TrustedSigner?) throws(BundleError) -> ServedModel {
        let start = ContinuousClock.now
        let data = try ModelBundle.readFile(path: path)
        let digest = Hashing.sha256(data)
        let symmetricKey = ModelBundle.isEncrypted(data) ? try key?.key() : nil
        if ModelBundle.isEncrypted(data), symmetricKey == nil { throw BundleError.keyRequired }
        let (bundle, signature) = try ModelBundle.decode(data, key: symmetricKey)
        if let trust { try BundleSignature.requireSigned(signature, by: trust.key, bundle: path, keyName: trust.path) }
        return ServedModel(name: name.isEmpty ? bundle.manifest.provenance.experiment : name, path: path, bundle: bundle, digest: digest,
                           loadSeconds: (ContinuousClock.now - start).seconds)
    }
}

/// The public key whose signature every served bundle must carry, and the file it came from
/// (named in refusals).
struct TrustedSigner: Sendable {
    var key: Curve25519.Signing.PublicKey
    var path: String
}
