import Foundation
import GRDB
import Tabular

/// Writes rows into a table of an SQLite database in one transaction (`runner predict
/// --into`): the table is created when missing, otherwise the rows are appended; any
/// failure leaves the database as it was.
public enum SQLiteTableWriter {
    public static func insert(path: String, table: String, columns: [(name: String, type: OutputColumnType)], rows: [[QueryParameter]]) throws(DataError) {
        guard FileManager.default.fileExists(atPath: path) else { throw DataError(path: path, message: "no such SQLite database") }
        guard !table.isEmpty, !columns.isEmpty else { throw DataError(path: path, message: "nothing to write: a table name and columns are needed") }
        let quoted = quotedIdentifier
        let create = "CREATE TABLE IF NOT EXISTS \(quoted(table)) (" + columns.map { "\(quoted($0.name)) \($0.type.sqliteName)" }.joined(separator: ", ") + ")"
        let insert = "INSERT INTO \(quoted(table)) (" + columns.map { quoted($0.name) }.joined(separator: ", ") + ") VALUES (" + columns.map { _ in "?" }.joined(separator: ", ") + ")"
        do {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            try queue.inTransaction { database in
                try database.execute(sql: create)
                let existing = try database.columns(in: table).map(\.name)
                let missing = columns.map(\.name).filter { !existing.contains($0) }
                guard missing.isEmpty else {
                    throw DataError(path: path, message: "table '\(table)' exists without the column\(missing.count == 1 ? "" : "s") \(missing.map { "'\($0)'" }.joined(separator: ", ")); choose another --into table")
                }
                let statement = try database.makeStatement(sql: insert)
                for row in rows {
                    try statement.execute(arguments: StatementArguments(row.map(\.databaseValue)))
                }
                return .commit
            }
        } catch let error as DataError {
            throw error
        } catch let error as DatabaseError {
            throw DataError(path: path, message: "SQLite: \(error.message ?? "\(error)"); nothing was written")
        } catch {
            throw DataError(path: path, message: "SQLite: \(error); nothing was written")
        }
    }
}
