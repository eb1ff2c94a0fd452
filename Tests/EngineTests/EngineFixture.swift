import Foundation
import XCTest
@testable import Engine

/// A throwaway experiment folder: the penguins data, a spec, and a store beside them.
struct EngineFixture {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let baseSpec = """
        version: 1
        name: penguins-small
        seed: 7
        data: {source: data/penguins.csv, target: species, drop: [year]}
        split: {test_size: 0.25}
        preprocess:
          - impute: {columns: numeric}
          - impute: {columns: categorical, strategy: most_frequent}
          - one_hot: {columns: categorical}
          - scale: {columns: numeric}
        models:
          - {name: logreg, type: logistic_regression, grid: {C: [0.1, 1]}}
          - {name: nb, type: gaussian_nb}
        search: {cv: 3, scoring: accuracy}
        metrics: [accuracy, f1_macro]
        """

    let folder: URL
    var specPath: String { folder.appendingPathComponent("exp.yaml").path }
    var dataPath: String { folder.appendingPathComponent("data/penguins.csv").path }
    var storePath: String { folder.appendingPathComponent(".runner").path }

    init(spec: String = EngineFixture.baseSpec) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.repository.appendingPathComponent("experiments/data/penguins.csv").path, toPath: dataPath)
        try write(spec: spec)
    }

    func write(spec: String) throws {
        try spec.write(toFile: specPath, atomically: true, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    func prepare(store: String? = nil) throws -> PreparedRun {
        do {
            return try Session.prepare(specPath: specPath, storePath: store ?? storePath)
        } catch .invalid(let diagnostics) {
            throw EngineError.planning(diagnostics.map(\.description).joined(separator: "\n"))
        } catch .failed(let message) {
            throw EngineError.planning(message)
        }
    }

    /// Runs the spec; returns the results, the outcomes and the warnings reported.
    func run(jobs: Int = 2, store: String? = nil, useCache: Bool = true) throws -> (results: RunResults, execution: Execution, lock: LockFile, warnings: [String]) {
        let prepared = try prepare(store: store)
        let warnings = WarningLog()
        let (results, execution) = try Session.execute(prepared, options: ExecutionOptions(jobs: jobs, useCache: useCache), report: warnings.handle)
        try Session.record(prepared, results, execution, outputFolder: folder.appendingPathComponent("out").path)
        return (results, execution, Session.lock(prepared, results, execution), warnings.messages)
    }

    /// Names of the stages a run computed (rather than found cached).
    static func computed(_ execution: Execution) -> [String] {
        execution.outcomes.filter { !$0.cached }.map(\.name)
    }
}

final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []

    var messages: [String] { lock.withLock { collected } }

    func handle(_ event: RunEvent) {
        if case .warning(let message) = event { lock.withLock { collected.append(message) } }
    }
}
