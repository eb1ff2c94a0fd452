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
        guard let bundle = inputs[StageRole.bundle]?.package else { throw EngineError.internalError("bundle input missing") }
        let subject = DeploymentSubject(experiment: params.experiment, bundleDigest: Hashing.sha256(bundle),
                                        runnerVersion: params.runnerVersion, encrypted: params.encrypted)
        let plan = DeploymentPlan.make(params.target, subject)
        return (.deployment(plan), ["\(plan.files.count) files, \(plan.apply.count) steps to apply, \(plan.destroy.count) to destroy"])
    }
}
