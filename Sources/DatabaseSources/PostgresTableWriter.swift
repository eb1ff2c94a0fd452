import Foundation
import NIOConcurrencyHelpers
import Tabular

/// Writes rows into a PostgreSQL table in one transaction (`runner predict --into`): the table
/// is created when missing, otherwise the rows are appended; any failure leaves the database
/// as it was. `table` may be schema-qualified (`analytics.predictions`).
public enum PostgresTableWriter {
    /// Rows per INSERT statement: PostgreSQL binds at most 65,535 parameters per statement.
    static let rowsPerStatement = 1_000

    public static func insert(endpoint: PostgresEndpoint, table: String, columns: [(name: String, type: OutputColumnType)], rows: [[QueryParameter]]) throws(DataError) {
        guard !table.isEmpty, !columns.isEmpty else { throw DataError(path: endpoint.description, message: "nothing to write: a table name and columns are needed") }
        let parts = table.split(separator: ".", maxSplits: 1).map(String.init)
        let qualified = parts.map(quotedIdentifier).joined(separator: ".")
        let session = try PostgresSession.connect(endpoint)
        do {
            try session.transaction { () throws(DataError) in
                try session.execute("CREATE TABLE IF NOT EXISTS \(qualified) (" + columns.map { "\(quotedIdentifier($0.name)) \($0.type.postgresName)" }.joined(separator: ", ") + ")")
                let existing = NIOLockedValueBox<[String]>([])
                try session.query("SELECT attname::text FROM pg_attribute WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped", [.text(qualified)]) { row in
                    if let cell = row.first, let name = try? cell.decode(String.self) { existing.withLockedValue { $0.append(name) } }
                }
                let present = existing.withLockedValue { $0 }
                let missing = columns.map(\.name).filter { !present.contains($0) }
                guard missing.isEmpty else {
                    throw DataError(path: endpoint.description, message: "table '\(table)' exists without the column\(missing.count == 1 ? "" : "s") \(missing.map { "'\($0)'" }.joined(separator: ", ")); choose another --into table")
                }
                let head = "INSERT INTO \(qualified) (" + columns.map { quotedIdentifier($0.name) }.joined(separator: ", ") + ") VALUES "
                var start = 0
                while start < rows.count {
                    let batch = rows[start..<min(rows.count, start + rowsPerStatement)]
                    var values: [String] = []
                    var parameters: [QueryParameter] = []
                    for row in batch {
                        let first = parameters.count
                        values.append("(" + columns.indices.map { "$\(first + $0 + 1)::\(columns[$0].type.postgresName)" }.joined(separator: ", ") + ")")
                        parameters += row
                    }
                    try session.execute(head + values.joined(separator: ", "), parameters)
                    start += batch.count
                }
            }
        } catch {
            throw DataError(path: error.path, message: error.message + (error.message.contains("nothing was written") ? "" : "; nothing was written"))
        }
    }
}
