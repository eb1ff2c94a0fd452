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
