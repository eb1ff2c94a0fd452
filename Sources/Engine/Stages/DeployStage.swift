import Deploy
import Foundation
import Packaging
import Spec

/// One deploy target's plan (docs/deploy.md): the files under `deploy/NAME/` and the CLI
/// steps `runner deploy --apply` and `--destroy` run, derived from the target and the
/// bundle's digest. Pure and cheap; cached like every stage so `plan`, `status`, the lock
/// and `verify` see it.
enum DeployStage: StageDefinition {
    struct Parameters: Codable, Sendable {
        var name: String
        var platform: DeployTarget.Platform
        var port: Int
        var image: String?
        var secrets: DeploySecrets
        var experiment: String
        var runnerVersion: String
        var encrypted: Bool
        /// `model: NAME@STAGE` and the bundle digest it named at planning (absent for the run's own bundle).
        var registryModel: String?
        var registryBundle: String?

        init(target: DeployTarget, experiment: String, runnerVersion: String, encrypted: Bool) {
            name = target.name.value
            platform = target.platform
            port = target.port
            image = target.image
            secrets = target.secrets
            self.experiment = experiment
            self.runnerVersion = runnerVersion
            self.encrypted = encrypted
        }

        var target: DeployTarget {
            var target = DeployTarget(name: Located(name, at: nil), platform: platform)
            target.port = port
            target.image = image
            target.secrets = secrets
            return target
        }
    }

    static let kind = StageKind.deploy
    // 2: plans include the platform's monitoring files (monitoring/).
    static let version = 2
    static let output = "deployment"
    static let form = Artifact.Form.deployment

    static func compute(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String]) {
        let digest: String
        if let registered = params.registryBundle {
            digest = registered
        } else {
            guard let bundle = inputs[StageRole.bundle]?.package else { throw EngineError.internalError("bundle input missing") }
            digest = Hashing.sha256(bundle)
        }
        let subject = DeploymentSubject(experiment: params.experiment, bundleDigest: digest,
                                        runnerVersion: params.runnerVersion, encrypted: params.encrypted)
        let plan = DeploymentPlan.make(params.target, subject)
        let origin = params.registryModel.map { " (\($0) from the registry)" } ?? ""
        return (.deployment(plan), ["\(plan.files.count) files, \(plan.apply.count) steps to apply, \(plan.destroy.count) to destroy\(origin)"])
    }
}
