import Packaging
import Crypto
import Foundation
import Learn
import Spec

/// Packages the refitted winner in one format (a bundle or an ONNX graph). The output is
/// the file's bytes: reproducible (no timestamps, a content-derived encryption nonce), so
/// the lock records them and `runner verify` checks them like any other stage.
enum PackageStage: StageDefinition {
    struct Parameters: Codable, Sendable {
        /// `bundle` or `onnx`: also the stage's output name and the file's extension.
        var format: String
        var experiment: String
        var task: LearningTask
        var target: String
        var runnerVersion: String
        var specDigest: String
        var dataDigest: String
        /// Fingerprints of the keys the bundle is encrypted and signed with (never the keys).
        var encryptionKey: String?
        var signingKey: String?
    }

    static let kind = StageKind.package
    // 2: bundles carry the training data's profile (bundle format 2).
    static let version = 2
    static let output = "package"
    static let form = Artifact.Form.package

    /// The formats a spec may ask for, in the order they are packaged.
    static let formats = ["bundle", "onnx"]

    static func compute(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String]) {
        // A bundle's key names the keys' fingerprints; the keys at hand must be those.
        if params.format == "bundle", params.encryptionKey != context.keys.encryptionFingerprint || params.signingKey != context.keys.signingFingerprint {
            throw EngineError.internalError("the packaging keys changed after the run was planned")
        }
        let table = try inputs.table(), split = try inputs.split(), fitted = try inputs.model()
        let leaderboard = try inputs.leaderboard(), evaluation = try inputs.evaluation(), profile = try inputs.profile()
        let winner = leaderboard.candidates[leaderboard.best]
        let training = table.dropping(columns: [params.target]).taking(rows: split.train)
        var artifacts: [String: String] = [:]
        for role in [StageRole.dataset, StageRole.split, StageRole.model, StageRole.leaderboard, StageRole.evaluation] {
            artifacts[role] = context.inputDigests[role]
        }
        let manifest = BundleManifest(
            format: BundleManifest.currentFormat, runnerVersion: params.runnerVersion, task: params.task, target: params.target,
            classes: fitted.classes, modelType: winner.type, modelName: winner.model, params: winner.params,
            preprocessing: fitted.steps.map(\.kindName), inputSchema: InputSchema(training: training, columns: fitted.inputColumns),
            metrics: ["cv": winner.scores.mapValues(\.mean), "test": evaluation.metrics],
            provenance: .init(experiment: params.experiment, specDigest: params.specDigest, dataDigest: params.dataDigest,
                              artifacts: artifacts, modelDigest: artifacts[StageRole.model] ?? ""))
        let data: Data
        switch params.format {
        case "bundle":
            data = try ModelBundle(manifest: manifest, pipeline: fitted, profile: profile).encoded(signingKey: context.keys.signing, encryptionKey: context.keys.encryption)
        case "onnx":
            data = try ONNXExport.export(fitted, schema: manifest.inputSchema, modelType: winner.type, name: params.experiment, producerVersion: params.runnerVersion)
        default:
            throw EngineError.internalError("unknown package format '\(params.format)'")
        }
        return (.package(data), ["\(params.format): \(data.count) bytes"])
    }
}

/// The keys a spec's `package:` section names, loaded before anything runs so a missing key
/// fails the run at once instead of after training.
public struct PackagingKeys: Sendable {
    var encryption: SymmetricKey?
    var signing: Curve25519.Signing.PrivateKey?

    public init() {}

    /// What identifies each key in a stage's parameters: a digest under a fixed label, so
    /// the key itself never enters a parameter, a record or a lock.
    var encryptionFingerprint: String? {
        encryption.map { key in key.withUnsafeBytes { Hashing.sha256(Data("runner-encryption-key\n".utf8) + Data($0)) } }
    }

    var signingFingerprint: String? {
        signing.map { Hashing.sha256(Data("runner-signing-key\n".utf8) + $0.publicKey.rawRepresentation) }
    }

    static func load(_ package: PackageSpec) throws(BundleError) -> PackagingKeys {
        var keys = PackagingKeys()
        switch package.encryptionKey {
        case .environment(let name)?: keys.encryption = try BundleKeys.encryptionKey(environment: name, file: nil)
        case .file(let path)?: keys.encryption = try BundleKeys.encryptionKey(environment: nil, file: path)
        case nil: break
        }
        if let path = package.signingKeyFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw BundleError.key("cannot read the signing key file \(path)") }
            keys.signing = try BundleKeys.signingKey(pem: text, source: path)
        }
        return keys
    }
}
