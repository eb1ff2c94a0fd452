import Engine
import Foundation
import Learn
import Tabular

/// `runner report`: one self-contained HTML page about a run, from its results and the
/// artifacts the store holds (diagnostics, the dataset for its summary).
public enum ReportBuilder {
    public enum Failure: Error, CustomStringConvertible {
        case missing(String)

        public var description: String {
            switch self {
            case .missing(let what): return what
            }
        }
    }

    public static func html(results: RunResults, store: ContentStore) throws -> String {
        let stored: ModelDiagnostics?
        do {
            stored = try Session.diagnostics(of: results, in: store)
        } catch {
            throw Failure.missing("the diagnostics of run \(results.runID) are not in the store (\(error.description)); rerun the experiment")
        }
        guard let diagnostics = stored else {
            throw Failure.missing("run \(results.runID) has no diagnostics (it was made by runner \(results.runnerVersion), before reports); rerun the experiment")
        }
        let summary = Session.dataset(of: results, in: store).map { TableSummary(table: $0, threads: ProcessInfo.processInfo.activeProcessorCount) }
        return ReportPage(results: results, diagnostics: diagnostics, data: summary).render()
    }
}
