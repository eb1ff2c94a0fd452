import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import Tabular

/// The rows a query returns from a PostgreSQL database, as a table. Each query runs in a
/// `REPEATABLE READ READ ONLY` transaction, so it sees one snapshot and cannot change data.
///
/// Types (by the column's PostgreSQL type, decided before any value is seen): smallint,
/// integer, bigint, real, double precision and numeric are numeric (numeric through its exact
/// decimal text, rounded once, as a CSV reader would); boolean is boolean; text, varchar,
/// char(n) and name are categorical; date is numeric days since 1970-01-01 and timestamp /
/// timestamptz numeric seconds since 1970-01-01 00:00 UTC (order and differences survive;
/// use `to_char` or `extract` in the query for another form); NULL is missing. Anything else
/// (bytea, json, uuid, arrays, intervals, ...) is refused by column name and type, with a cast
/// to write in the query.
///
/// There is no cheap way to know a query's rows are unchanged, so the identity is the
/// digest of the rows themselves (the wire values with their types), computed while they
/// stream in; a source remembers the digest of its first read, and a later read of other rows
/// in the same run is an error, not a silent mix of two versions.
public struct PostgresSource: DataSource {
    public var endpoint: PostgresEndpoint
    public var query: String
    /// Values bound to the query's `$1, $2, ...` placeholders, in order.
    public var parameters: [QueryParameter]
    private let snapshot = SnapshotMemo()

    public init(endpoint: PostgresEndpoint, query: String, parameters: [QueryParameter] = []) {
        self.endpoint = endpoint
        self.query = query
        self.parameters = parameters
    }

    public var kind: String { "postgres" }
    public var identityReadsContent: Bool { true }
    public var description: String { "\(endpoint) (postgres query)" }

    public func identity() throws(DataError) -> String {
        let rows = try rowsDigest()
        return (["postgres", endpoint.description, query] + parameters.map(\.description) + ["rows sha256:\(rows.digest)", String(rows.bytes)])
            .joined(separator: "\u{0}")
    }

    /// The first row's column names (a cursor fetches one row, not the result).
    public func columnNames() throws(DataError) -> [String] {
        let session = try PostgresSession.connect(endpoint)
        return try session.transaction(Self.begin) { () throws(DataError) -> [String] in
            let declaration = "DECLARE runner_columns NO SCROLL CURSOR FOR "
            try session.execute(declaration + query, parameters, wrapped: declaration.count)
            let names = NIOLockedValueBox<[String]?>(nil)
            try session.query("FETCH 1 FROM runner_columns") { row in
                names.withLockedValue { $0 = row.map(\.columnName) }
            }
            guard let found = names.withLockedValue({ $0 }) else {
                throw DataError(path: endpoint.description, message: "the query returned no rows")
            }
            return found
        }
    }

    public func read(options: ReadOptions) throws(DataError) -> Tabular.Table {
        let builder = TableBuilder(source: self, forced: options.columnKinds, buildColumns: true)
        try scan(into: builder)
        let result = try builder.finish()
        try remember(result.digest)
        do {
            return try Tabular.Table(columns: result.columns)
        } catch {
            throw DataError(path: endpoint.description, message: "the query's columns cannot form a table (\(error.description)); give every column a distinct name with AS")
        }
    }

    /// A short canonical text naming the rows' digest: the rows are not streamed a second time.
    public func streamContent(_ consume: (UnsafeRawBufferPointer) -> Void) throws(DataError) {
        let rows = try rowsDigest()
        let text = "runner-postgres-rows 1\n\(rows.digest)\n\(rows.bytes)\n"
        Array(text.utf8).withUnsafeBytes { consume($0) }
    }

    // MARK: scanning

    static let begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

    private func rowsDigest() throws(DataError) -> RowsDigest {
        if let known = snapshot.value { return known }
        let builder = TableBuilder(source: self, forced: [:], buildColumns: false)
        try scan(into: builder)
        let digest = try builder.finish().digest
        try remember(digest)
        return digest
    }

    private func remember(_ digest: RowsDigest) throws(DataError) {
        if let earlier = snapshot.remember(digest), earlier != digest {
            throw DataError(path: endpoint.description, message: "the query's rows changed while this run read them (\(earlier.rows) rows, then \(digest.rows)); rerun when the data is stable")
        }
    }

    private func scan(into builder: TableBuilder) throws(DataError) {
        let session = try PostgresSession.connect(endpoint)
        do {
            try session.transaction(Self.begin) { () throws(DataError) in
                try session.query(query, parameters) { row in try builder.add(row) }
            }
        } catch {
            // A row the builder refused stops the query; its reason is the one to report.
            throw builder.failure ?? error
        }
        if let failure = builder.failure { throw failure }
    }
}

/// The digest of a query's rows and the size of the encoding it covers.
struct RowsDigest: Sendable, Equatable {
    var digest: String
    var bytes: Int
    var rows: Int
}

/// The digest a source saw first; shared by copies of one source, so a run reads one version.
private final class SnapshotMemo: Sendable {
    private let stored = NIOLockedValueBox<RowsDigest?>(nil)
    var value: RowsDigest? { stored.withLockedValue { $0 } }
    /// Stores `digest` when nothing is stored yet; returns what was stored before.
    func remember(_ digest: RowsDigest) -> RowsDigest? {
        stored.withLockedValue { current in
            if let current { return current }
            current = digest
            return nil
        }
    }
}

/// Turns streamed rows into columns and a digest; rows arrive one at a time on the
/// connection's event loop and `finish` runs after the last, so no lock is needed.
private final class TableBuilder: @unchecked Sendable {
    enum Decoded { case number, boolean, text, days, microseconds, numericText }

    struct Builder {
        var name: String
        var type: PostgresDataType
        var decoded: Decoded
        var kind: ColumnKind
        var numbers: [Double] = []
        var codes: [Int32] = []
        var interner = ByteInterner()
    }

    let source: PostgresSource
    let forced: [String: ColumnKind]
    let buildColumns: Bool
    var columns: [Builder] = []
    var hasher = SHA256()
    var encoded = 0
    var rows = 0
    var scratch: [UInt8] = []
    var failure: DataError?

    init(source: PostgresSource, forced: [String: ColumnKind], buildColumns: Bool) {
        self.source = source
        self.forced = forced
        self.buildColumns = buildColumns
        scratch.reserveCapacity(1 << 16)
    }

    func fail(_ message: String) -> DataError {
        let error = DataError(path: source.endpoint.description, message: message)
        failure = error
        return error
    }

    func add(_ row: PostgresRow) throws {
        if rows == 0 { try start(row) }
        rows += 1
        scratch.append(0x52)
        var index = 0
        for cell in row {
            guard var bytes = cell.bytes else {
                scratch.append(0)
                if buildColumns { appendMissing(index) }
                index += 1
                continue
            }
            scratch.append(1)
            withUnsafeBytes(of: UInt32(bytes.readableBytes).littleEndian) { scratch += $0 }
            bytes.withUnsafeReadableBytes { scratch += $0 }
            if buildColumns { try append(&bytes, to: index) }
            index += 1
        }
        if scratch.count >= 1 << 16 { flush() }
    }

    private func flush() {
        scratch.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        encoded += scratch.count
        scratch.removeAll(keepingCapacity: true)
    }

    /// Column names and types from the first row; the type decides how values decode.
    private func start(_ row: PostgresRow) throws {
        scratch += Array("runner-postgres-rows 1\n".utf8)
        for cell in row {
            let name = Array(cell.columnName.utf8)
            withUnsafeBytes(of: UInt64(name.count).littleEndian) { scratch += $0 }
            scratch += name
            withUnsafeBytes(of: cell.dataType.rawValue.littleEndian) { scratch += $0 }
            let decoded: Decoded
            let natural: ColumnKind
            switch cell.dataType {
            case .int2, .int4, .int8, .float4, .float8, .oid: decoded = .number; natural = .numeric
            case .numeric: decoded = .numericText; natural = .numeric
            case .bool: decoded = .boolean; natural = .boolean
            case .text, .varchar, .bpchar, .name, .char, .unknown: decoded = .text; natural = .categorical
            case .date: decoded = .days; natural = .numeric
            case .timestamp, .timestamptz: decoded = .microseconds; natural = .numeric
            default:
                throw fail("column '\(cell.columnName)' has PostgreSQL type \(cell.dataType.knownSQLName ?? "oid \(cell.dataType.rawValue)"), which runner cannot map; convert it in the query (e.g. \(cell.columnName)::text or a number) or leave it out")
            }
            let kind = forced[cell.columnName] ?? natural
            columns.append(Builder(name: cell.columnName, type: cell.dataType, decoded: decoded, kind: kind))
        }
    }

    private func appendMissing(_ index: Int) {
        if columns[index].kind == .categorical {
            columns[index].codes.append(CategoricalColumn.missing)
        } else {
            columns[index].numbers.append(.nan)
        }
    }

    private func append(_ bytes: inout ByteBuffer, to index: Int) throws {
        let column = columns[index]
        if column.decoded == .text {
            if column.kind == .categorical {
                let code = bytes.withUnsafeReadableBytes { raw in
                    columns[index].interner.code(for: raw.bindMemory(to: UInt8.self))
                }
                columns[index].codes.append(code)
            } else {
                let text = bytes.readString(length: bytes.readableBytes) ?? ""
                guard let number = Double(text.trimmingCharacters(in: .whitespaces)) else {
                    throw fail("column '\(column.name)' is typed \(column.kind.rawValue) in data.types, but result row \(rows) holds '\(text)'")
                }
                try appendNumber(number, to: index)
            }
            return
        }
        let number = try decodeNumber(&bytes, column)
        if column.kind == .categorical {
            let text = column.decoded == .boolean ? (number == 1 ? "true" : "false") : formatNumber(number)
            let code = Array(text.utf8).withUnsafeBufferPointer { columns[index].interner.code(for: $0) }
            columns[index].codes.append(code)
        } else {
            try appendNumber(number, to: index)
        }
    }

    private func appendNumber(_ number: Double, to index: Int) throws {
        if columns[index].kind == .boolean, number != 0, number != 1 {
            throw fail("column '\(columns[index].name)' is boolean, but result row \(rows) holds \(formatNumber(number)) (booleans are 0 and 1)")
        }
        columns[index].numbers.append(number)
    }

    private func decodeNumber(_ bytes: inout ByteBuffer, _ column: Builder) throws -> Double {
        let size = bytes.readableBytes
        switch column.decoded {
        case .boolean:
            return bytes.readInteger(as: UInt8.self) == 0 ? 0 : 1
        case .number:
            switch (column.type, size) {
            case (.int2, 2): return Double(bytes.readInteger(as: Int16.self)!)
            case (.int4, 4): return Double(bytes.readInteger(as: Int32.self)!)
            case (.oid, 4): return Double(bytes.readInteger(as: UInt32.self)!)
            case (.int8, 8): return Double(bytes.readInteger(as: Int64.self)!)
            case (.float4, 4): return Double(Float(bitPattern: bytes.readInteger(as: UInt32.self)!))
            case (.float8, 8): return Double(bitPattern: bytes.readInteger(as: UInt64.self)!)
            default: break
            }
        case .days:
            if size == 4, let days = bytes.readInteger(as: Int32.self) {
                guard days != Int32.max, days != Int32.min else { throw fail("column '\(column.name)' holds an infinite date in result row \(rows); filter it out or replace it in the query") }
                return Double(Int64(days) + 10_957)
            }
        case .microseconds:
            if size == 8, let microseconds = bytes.readInteger(as: Int64.self) {
                guard microseconds != Int64.max, microseconds != Int64.min else { throw fail("column '\(column.name)' holds an infinite timestamp in result row \(rows); filter it out or replace it in the query") }
                return Double(microseconds + 946_684_800_000_000) / 1_000_000
            }
        case .numericText:
            if let text = Self.numericText(&bytes) {
                guard let number = Double(text) else { throw fail("column '\(column.name)' holds \(text) in result row \(rows), which is not a finite number") }
                return number
            }
        case .text:
            break
        }
        throw fail("column '\(column.name)': an unexpected \(size)-byte value for type \(column.type) in result row \(rows)")
    }

    /// PostgreSQL's binary numeric (base-10000 digits, weight, sign, scale) as decimal text.
    static func numericText(_ bytes: inout ByteBuffer) -> String? {
        guard let count = bytes.readInteger(as: Int16.self), let weight = bytes.readInteger(as: Int16.self),
              let sign = bytes.readInteger(as: UInt16.self), bytes.readInteger(as: Int16.self) != nil else { return nil }
        switch sign {
        case 0xC000: return "nan"
        case 0xD000: return "inf"
        case 0xF000: return "-inf"
        default: break
        }
        var digits: [Int16] = []
        for _ in 0..<max(0, Int(count)) {
            guard let digit = bytes.readInteger(as: Int16.self) else { return nil }
            digits.append(digit)
        }
        if digits.isEmpty { return "0" }
        // value = sum(digits[i] * 10000^(weight - i)): write the digits out in full and place
        // the exponent, so the double is rounded once from the exact decimal.
        var mantissa = ""
        for (index, digit) in digits.enumerated() {
            let text = String(digit)
            mantissa += index == 0 ? text : String(repeating: "0", count: 4 - text.count) + text
        }
        let firstWidth = String(digits[0]).count
        let exponent = (Int(weight) * 4 + firstWidth) - mantissa.count
        return (sign == 0x4000 ? "-" : "") + mantissa + "e" + String(exponent)
    }

    struct Finished {
        var columns: [Tabular.Column]
        var digest: RowsDigest
    }

    func finish() throws(DataError) -> Finished {
        if let failure { throw failure }
        guard rows > 0 else { throw fail("the query returned no rows") }
        flush()
        let digest = RowsDigest(digest: hasher.finalize().map { String(format: "%02x", $0) }.joined(), bytes: encoded, rows: rows)
        guard buildColumns else { return Finished(columns: [], digest: digest) }
        let built = columns.map { column in
            column.kind == .categorical
                ? Tabular.Column(name: column.name, categorical: CategoricalColumn(codes: column.codes, categories: column.interner.strings))
                : Tabular.Column(name: column.name, numeric: column.numbers, kind: column.kind)
        }
        return Finished(columns: built, digest: digest)
    }
}
