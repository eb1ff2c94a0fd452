import Deploy
import Foundation

extension Session {
    /// Writes each package stage's output (the model files the spec asked for) to
    /// `outputFolder/model.<format>`, leaving an unchanged file alone. Returns the paths.
    public static func exportPackages(_ prepared: PreparedRun, _ execution: Execution, outputFolder: String) throws(StoreError) -> [String] {
        var paths: [String] = []
        for outcome in execution.outcomes where outcome.kind == .package {
            let data: Data
            if let bytes = execution.decoded[outcome.output]?.package {
                data = bytes
            } else {
                data = try prepared.store.read(outcome.output)
            }
            try AtomicFile.makeFolder(outputFolder)
            let path = "\(outputFolder)/model.\(outcome.artifact)"
            if AtomicFile.read(path) != data { try AtomicFile.write(data, to: path, temporaryFolder: outputFolder) }
            paths.append(path)
        }
        return paths
    }
}

extension Session {
    /// Writes each deploy stage's files to `outputFolder/deploy/NAME/` (scripts executable),
    /// leaving unchanged files alone. Returns the plans by target name.
    public static func exportDeployments(_ prepared: PreparedRun, _ execution: Execution, outputFolder: String) throws(StoreError) -> [String: DeploymentPlan] {
        var plans: [String: DeploymentPlan] = [:]
        for outcome in execution.outcomes where outcome.kind == .deploy {
            let plan: DeploymentPlan
            if let decoded = execution.decoded[outcome.output]?.deployment {
                plan = decoded
            } else {
                let data = try prepared.store.read(outcome.output)
                guard let decoded = try? CanonicalJSON.decode(DeploymentPlan.self, from: data) else {
                    throw StoreError.corrupted(digest: outcome.output)
                }
                plan = decoded
            }
            let folder = deploymentFolder(outputFolder: outputFolder, target: plan.target)
            for file in plan.files {
                let path = "\(folder)/\(file.path)"
                let data = Data(file.contents.utf8)
                try AtomicFile.makeFolder((path as NSString).deletingLastPathComponent)
                if AtomicFile.read(path) != data { try AtomicFile.write(data, to: path, temporaryFolder: folder) }
                let mode = file.executable ? 0o755 : 0o644
                try? FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            }
            plans[plan.target] = plan
        }
        return plans
    }

    /// Where a target's files go.
    public static func deploymentFolder(outputFolder: String, target: String) -> String {
        "\(outputFolder)/deploy/\(target)"
    }
}
