import Deploy
import Foundation

/// Applying and destroying a target's plan with the real CLIs, recording in the run index
/// what each step created as soon as it is created (a failure halfway leaves a record
/// `--destroy` can use).
public struct DeploymentApply: Sendable {
    public var plan: DeploymentPlan
    public var experiment: String
    /// SHA-256 of the bundle served.
    public var bundleDigest: String
    public var executor: DeploymentExecutor
    public var index: RunIndex

    public init(plan: DeploymentPlan, experiment: String, bundleDigest: String, executor: DeploymentExecutor, index: RunIndex) {
        self.plan = plan
        self.experiment = experiment
        self.bundleDigest = bundleDigest
        self.executor = executor
        self.index = index
    }

    /// The variables runner sets before the steps: the folders and files they use, the
    /// container engine, the binary the image is built from.
    public static func variables(deployFolder: String, bundle: String, runnerBinary: String, imageBinary: String?, engine: String?) -> Variables {
        var variables = Variables(["DEPLOY_DIR": deployFolder, "BUNDLE": bundle, "RUNNER": runnerBinary,
                                   "IMAGE_BINARY": imageBinary ?? runnerBinary])
        if let engine { variables["ENGINE"] = engine }
        return variables
    }

    /// Variables the steps use that neither runner nor an earlier step sets (checked before
    /// anything runs, so a missing one creates nothing).
    public static func unsetVariables(_ steps: [CommandStep], _ variables: Variables) -> [String] {
        var known = Set(variables.values.keys)
        var missing: [String] = []
        for step in steps {
            for name in step.arguments.flatMap(Variables.references) where !known.contains(name) && !missing.contains(name) {
                missing.append(name)
            }
            if let capture = step.capture { known.insert(capture) }
        }
        return missing
    }

    public func apply(variables: Variables) throws(DeployError) -> [String: String] {
        var variables = variables
        var created: [String: String] = [:]
        let record = { (state: String) throws(DeployError) in
            do {
                try index.record(DeploymentRecord(experiment: experiment, target: plan.target, kind: plan.kind, bundle: bundleDigest, state: state,
                                                  resources: created, updated: Self.timestamp()))
            } catch { throw DeployError.file((error as? StoreError)?.description ?? "\(error)") }
        }
        do {
            try executor.run(plan.apply, variables: &variables) { name, value in
                created[name] = value
                try? index.record(DeploymentRecord(experiment: experiment, target: plan.target, kind: plan.kind, bundle: bundleDigest, state: "applying",
                                                   resources: created, updated: Self.timestamp()))
            }
        } catch {
            try? record("failed")
            throw error
        }
        try record("applied")
        return created
    }

    /// Runs the destroy steps, then forgets the deployment. The steps look every resource up
    /// by name or tag rather than trusting the record (something removed by hand is skipped,
    /// a half-finished apply is cleaned up); recorded values serve steps without a lookup.
    public func destroy(variables: Variables) throws(DeployError) {
        var variables = variables
        let recorded: DeploymentRecord?
        do { recorded = try index.deployment(experiment: experiment, target: plan.target) } catch { throw .file(error.description) }
        for (name, value) in recorded?.resourceValues ?? [:] { variables[name] = value }
        try executor.run(plan.destroy, variables: &variables) { _, _ in }
        do { try index.removeDeployment(experiment: experiment, target: plan.target) } catch { throw .file(error.description) }
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}
