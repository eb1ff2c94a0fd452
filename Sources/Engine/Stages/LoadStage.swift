import Foundation
import Learn
import Tabular

/// Reads the data source and removes what the spec drops (columns, rows with missing values).
enum LoadStage: StageDefinition {
    struct Parameters: Codable, Sendable {
        struct RowFilter: Codable, Sendable {
            var columns: ColumnSelection
            var threshold: Double
        }

        /// nil for a database source.
        var format: DataFormat?
        var delimiter: UInt8?
        var naValues: [String]
        var columnKinds: [String: ColumnKind]
        var target: String
        var drop: [String]
        var rowFilters: [RowFilter]
    }

    static let kind = StageKind.load
    static let version = 1
    static let output = "dataset"
    static let form = Artifact.Form.table

    static func compute(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String]) {
        let graph = context.graph
        // The data must be what was planned (and hashed); otherwise keys would lie.
        guard try DataDigest.identity(of: graph.dataSource) == graph.source.identity else {
            throw EngineError.data("\(graph.dataSource) changed after the run was planned; rerun to plan against the new data")
        }
        var table: Table
        if let preloaded = graph.preloaded {
            table = preloaded
        } else {
            // The source reads with its own format, delimiter and NA tokens (the same spec
            // values these parameters put into the key); the stage adds the column types.
            do {
                table = try graph.dataSource.read(options: ReadOptions(columnKinds: params.columnKinds, threads: context.threads))
            } catch {
                throw EngineError.data(error.description)
            }
        }
        table = table.dropping(columns: Set(params.drop))
        var log = ["read \(table.rowCount) rows × \(table.columnCount) columns"]
        for filter in params.rowFilters {
            let kept = try RowFilter.keptRows(table, columns: filter.columns, threshold: filter.threshold)
            if kept.count < table.rowCount {
                log.append("drop_missing removed \(table.rowCount - kept.count) rows")
                table = table.taking(rows: kept)
            }
        }
        guard table[params.target] != nil else { throw EngineError.data("the target column '\(params.target)' is not in the data") }
        return (.table(table), log)
    }
}
