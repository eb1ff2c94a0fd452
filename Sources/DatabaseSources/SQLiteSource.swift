import Foundation
import GRDB
import GRDBSQLite
import Tabular
#if canImport(Glibc)
import Glibc
#endif

/// Rows a read-only SQL query returns from an SQLite database file, as a table. Column types
/// follow the values: integers and reals are numeric, text is categorical, NULL is missing; a
/// column declared BOOLEAN (or BOOL) holding 0/1 is boolean. SQLite stores dates as text or
/// numbers, so they arrive as what they are stored as (convert them in the query, e.g.
/// `julianday(day)`). Binary (BLOB) values are refused by column name.
///
/// The content digest covers the rows the query returns (streamed in a canonical encoding),
/// not the file: an unchanged table hits the cache whatever else the database holds.
public struct SQLiteSource: DataSource {
    public var path: String
    public var query: String
    /// Values bound to the query's `?` placeholders, in order (text, integers, reals, nil).
    public var parameters: [QueryParameter]

    public init(path: String, query: String, parameters: [QueryParameter] = []) {
        self.path = path
        self.query = query
        self.parameters = parameters
    }

    public var kind: String { "sqlite" }
    public var description: String { "\(path) (sqlite query)" }

    /// The database file and its write-ahead log (a committed write may change only the log),
    /// with the query and its parameters.
    public func identity() throws(DataError) -> String {
        var parts = [try Self.fileIdentity(path, required: true) ?? ""]
        parts.append(try Self.fileIdentity(path + "-wal", required: false) ?? "no wal")
        parts.append(query)
        parts += parameters.map(\.description)
        return parts.joined(separator: "\u{0}")
    }

    public func columnNames() throws(DataError) -> [String] {
        try withStatement { _, statement in statement.columnNames }
    }

    public func read(options: ReadOptions) throws(DataError) -> Tabular.Table {
        let names = try columnNames()
        let collected: [[DatabaseValue]] = try withStatement { _, statement in
            var columns = [[DatabaseValue]](repeating: [], count: names.count)
            let rows = try Row.fetchCursor(statement, arguments: arguments)
            while let row = try rows.next() {
                for index in 0..<names.count { columns[index].append(row[index] as DatabaseValue) }
            }
            return columns
        }
        let declared = try declaredTypes()
        var columns: [Tabular.Column] = []
        for (index, name) in names.enumerated() {
            columns.append(try Self.column(name, collected[index], declared: declared[index], forced: options.columnKinds[name], source: self))
        }
        do {
            return try Tabular.Table(columns: columns)
        } catch {
            throw DataError(path: path, message: "the query's columns cannot form a table (\(error.description)); give every column a distinct name with AS")
        }
    }

    /// A canonical encoding of the column names and every value, type-tagged, in chunks.
    public func streamContent(_ consume: (UnsafeRawBufferPointer) -> Void) throws(DataError) {
        try withStatement { _, statement in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 16)
            func flush() {
                buffer.withUnsafeBytes { consume($0) }
                buffer.removeAll(keepingCapacity: true)
            }
            func text(_ value: String) {
                let bytes = Array(value.utf8)
                withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { buffer += $0 }
                buffer += bytes
            }
            buffer += Array("runner-sqlite-rows 1\n".utf8)
            for name in statement.columnNames { text(name) }
            let rows = try Row.fetchCursor(statement, arguments: arguments)
            while let row = try rows.next() {
                buffer.append(0x52) // row marker
                for index in 0..<row.count {
                    switch (row[index] as DatabaseValue).storage {
                    case .null: buffer.append(0)
                    case .int64(let value):
                        buffer.append(1)
                        withUnsafeBytes(of: value.littleEndian) { buffer += $0 }
                    case .double(let value):
                        buffer.append(2)
                        withUnsafeBytes(of: value.bitPattern.littleEndian) { buffer += $0 }
                    case .string(let value):
                        buffer.append(3)
                        text(value)
                    case .blob(let data):
                        buffer.append(4)
                        withUnsafeBytes(of: UInt64(data.count).littleEndian) { buffer += $0 }
                        buffer += data
                    }
                }
                if buffer.count >= 1 << 16 { flush() }
            }
            flush()
        }
    }

    // MARK: reading

    private var arguments: StatementArguments {
        StatementArguments(parameters.map { $0.databaseValue })
    }

    /// Opens the file read-only (never creating it), prepares the query and hands both over;
    /// every SQLite failure becomes a DataError naming the file.
    private func withStatement<T>(_ body: (Database, Statement) throws -> T) throws(DataError) -> T {
        guard FileManager.default.fileExists(atPath: path) else { throw DataError(path: path, message: "no such SQLite database") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "runner data source"
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { database in
                let statement: Statement
                do {
                    statement = try database.makeStatement(sql: query)
                } catch let error as DatabaseError {
                    throw DataError(path: path, message: "the query does not run: \(error.message ?? "\(error)")")
                }
                guard statement.isReadonly else { throw DataError(path: path, message: "the query would change the database; a data source only reads (use SELECT)") }
                guard statement.columnCount > 0 else { throw DataError(path: path, message: "the query returns no columns; use SELECT") }
                guard parameters.count == Int(sqlite3_bind_parameter_count(statement.sqliteStatement)) else {
                    throw DataError(path: path, message: "the query has \(sqlite3_bind_parameter_count(statement.sqliteStatement)) placeholder(s) but the spec gives \(parameters.count) param(s)")
                }
                return try body(database, statement)
            }
        } catch let error as DataError {
            throw error
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_NOTADB { throw DataError(path: path, message: "not an SQLite database") }
            throw DataError(path: path, message: "SQLite: \(error.message ?? "\(error)")")
        } catch {
            throw DataError(path: path, message: "SQLite: \(error)")
        }
    }

    /// Each result column's declared type (upper-cased), "" for expressions.
    private func declaredTypes() throws(DataError) -> [String] {
        try withStatement { _, statement in
            (0..<Int32(statement.columnCount)).map { index in
                sqlite3_column_decltype(statement.sqliteStatement, index).map { String(cString: $0).uppercased() } ?? ""
            }
        }
    }

    /// One result column as a table column, its kind decided by its values (and forced kinds).
    static func column(_ name: String, _ values: [DatabaseValue], declared: String, forced: ColumnKind?, source: SQLiteSource) throws(DataError) -> Tabular.Column {
        var sawNumber = false, sawText = false
        for (row, value) in values.enumerated() {
            switch value.storage {
            case .null: continue
            case .int64, .double: sawNumber = true
            case .string: sawText = true
            case .blob:
                throw DataError(path: source.path, message: "column '\(name)' holds binary data (BLOB) in result row \(row + 1), which runner cannot use; convert it in the query (e.g. CAST(\(name) AS TEXT)) or leave it out")
            }
            if sawNumber && sawText && forced != .categorical {
                throw DataError(path: source.path, message: "column '\(name)' holds both numbers and text (result row \(row + 1)); CAST it in the query, or set data.types: {\(name): categorical}")
            }
        }
        let kind = forced ?? (sawText ? .categorical : (declared.contains("BOOL") ? .boolean : .numeric))
        switch kind {
        case .categorical:
            return Tabular.Column(name: name, strings: values.map { value in
                switch value.storage {
                case .null: return nil
                case .int64(let number): return String(number)
                case .double(let number): return formatNumber(number)
                case .string(let text): return text
                case .blob: return nil
                }
            })
        case .numeric, .boolean:
            var numbers = [Double](repeating: .nan, count: values.count)
            for (row, value) in values.enumerated() {
                switch value.storage {
                case .null: continue
                case .int64(let number): numbers[row] = Double(number)
                case .double(let number): numbers[row] = number
                case .string(let text):
                    guard let number = Double(text) else {
                        throw DataError(path: source.path, message: "column '\(name)' is typed \(kind.rawValue) in data.types, but result row \(row + 1) holds '\(text)'")
                    }
                    numbers[row] = number
                case .blob: continue
                }
                if kind == .boolean, numbers[row] != 0, numbers[row] != 1 {
                    throw DataError(path: source.path, message: "column '\(name)' is boolean, but result row \(row + 1) holds \(formatNumber(numbers[row])) (booleans are 0 and 1)")
                }
            }
            return Tabular.Column(name: name, numeric: numbers, kind: kind)
        }
    }

    /// The file's identity; nil when it is absent and not required.
    static func fileIdentity(_ path: String, required: Bool) throws(DataError) -> String? {
        if !required, !FileManager.default.fileExists(atPath: path) { return nil }
        return try FileIdentity.of(path, what: "an SQLite database file")
    }
}

/// A value bound to a query placeholder, from the spec's `params:` list.
public enum QueryParameter: Sendable, Equatable, CustomStringConvertible {
    case text(String)
    case integer(Int64)
    case real(Double)
    case null

    var databaseValue: DatabaseValue {
        switch self {
        case .text(let value): return value.databaseValue
        case .integer(let value): return value.databaseValue
        case .real(let value): return value.databaseValue
        case .null: return .null
        }
    }

    public var description: String {
        switch self {
        case .text(let value): return "text:\(value)"
        case .integer(let value): return "int:\(value)"
        case .real(let value): return "real:\(value.bitPattern)"
        case .null: return "null"
        }
    }
}
