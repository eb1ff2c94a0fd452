import Foundation

/// What `runner verify` found: every difference between the lock and a recomputation.
public struct VerificationReport: Sendable {
    /// Readable lines, empty when everything reproduced.
    public var differences: [String]
    public var stageCount: Int
    public var metricCount: Int

    public var reproduced: Bool { differences.isEmpty }
}

extension Session {
    /// A new, empty store for a verification run, in the temporary folder (the caller
    /// removes it): nothing may come from a cache.
    public static func verificationStore() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("runner-verify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    }

    /// Recomputes every stage of `prepared` (planned against an empty store) without the
    /// cache and compares spec and data digests, stage keys and outputs, the winner and its
    /// metrics with `expected`.
    public static func verify(_ prepared: PreparedRun, against expected: LockFile, jobs: Int, cancellation: CancellationFlag = CancellationFlag(),
                              report: @escaping @Sendable (RunEvent) -> Void = { _ in }) throws(ExecutionFailure) -> VerificationReport {
        let (results, execution) = try execute(prepared, options: ExecutionOptions(jobs: jobs, useCache: false, requirePassingTests: false), cancellation: cancellation, report: report)
        let actual = lock(prepared, results, execution)
        return VerificationReport(differences: expected.differences(from: actual), stageCount: actual.stages.count,
                                  metricCount: actual.metrics.cv.count + actual.metrics.test.count)
    }
}
