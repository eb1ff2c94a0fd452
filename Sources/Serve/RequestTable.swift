import HTTPTypes
import Learn
import Packaging
import Tabular

/// Request bodies of the simple surface as a table of the model's input columns, checked
/// against the bundle's input schema with the same rules as `runner predict`: a missing
/// column, a value of the wrong type and (later, in the model) an unseen category are each
/// refused with the row and the column named.
enum RequestTable {
    /// What the request sent besides rows: columns the model does not use are dropped and named.
    struct Read {
        var table: Table
        var warnings: [String]
    }

    /// JSON in one of the shapes people send: records (`[{"age": 39, ...}]`), split
    /// (`{"columns": [...], "data": [[...]]}`, pandas' `orient="split"`), and MLflow's wrappers
    /// `{"dataframe_records": ...}`, `{"dataframe_split": ...}`, `{"instances": ...}`.
    static func fromJSON(_ body: JSONValue, schema: InputSchema) throws(ServeError) -> Read {
        switch body {
        case .array(let records):
            return try fromRecords(records, schema: schema)
        case .object:
            if let records = body["dataframe_records"] ?? body["instances"] ?? body["records"] {
                guard case .array(let rows) = records else { throw .invalidInput("'dataframe_records' must be an array of objects, one per row") }
                return try fromRecords(rows, schema: schema)
            }
            let split = body["dataframe_split"] ?? body
            guard split["columns"] != nil || split["data"] != nil else {
                throw .invalidInput("expected rows as records ([{\"column\": value, ...}, ...]) or split ({\"columns\": [...], \"data\": [[...], ...]})")
            }
            return try fromSplit(split, schema: schema)
        default:
            throw .invalidInput("expected rows as records ([{\"column\": value, ...}, ...]) or split ({\"columns\": [...], \"data\": [[...], ...]}), got \(body.shortDescription)")
        }
    }

    static func fromRecords(_ records: [JSONValue], schema: InputSchema) throws(ServeError) -> Read {
        guard !records.isEmpty else { throw .invalidInput("the request has no rows to predict") }
        var columns = [[ScalarValue]](repeating: [], count: schema.fields.count)
        for index in columns.indices { columns[index].reserveCapacity(records.count) }
        let positions = Dictionary(uniqueKeysWithValues: schema.fields.enumerated().map { ($1.name, $0) })
        var present = [Bool](repeating: false, count: schema.fields.count)
        var extra: [String] = []
        var extraSeen = Set<String>()
        for (row, record) in records.enumerated() {
            guard case .object(let members) = record else {
                throw .invalidInput("row \(row + 1): expected an object of column values, got \(record.shortDescription)", row: row + 1)
            }
            for (key, value) in members {
                guard let position = positions[key] else {
                    if extraSeen.insert(key).inserted { extra.append(key) }
                    continue
                }
                guard let scalar = value.scalar else {
                    throw .invalidInput("row \(row + 1), column '\(key)': expected a single value, got \(value.shortDescription)", row: row + 1, column: key)
                }
                // A key given twice is refused by the parser, so each column grows by at most one here.
                columns[position].append(scalar)
                present[position] = true
            }
            for position in columns.indices where columns[position].count == row { columns[position].append(.missing) }
        }
        let missing = schema.fields.indices.filter { !present[$0] }.map { schema.fields[$0].name }
        return try table(columns, missing: missing, extra: extra, schema: schema)
    }

    static func fromSplit(_ split: JSONValue, schema: InputSchema) throws(ServeError) -> Read {
        guard case .array(let names)? = split["columns"] else { throw .invalidInput("split form needs \"columns\": an array of column names") }
        guard case .array(let rows)? = split["data"] else { throw .invalidInput("split form needs \"data\": an array of rows, each an array of values") }
        var columnNames: [String] = []
        for name in names {
            guard case .string(let text) = name else { throw .invalidInput("\"columns\" must hold column names as strings, got \(name.shortDescription)") }
            columnNames.append(text)
        }
        if let duplicate = firstDuplicate(columnNames) { throw .invalidInput("\"columns\" lists '\(duplicate)' twice", column: duplicate) }
        guard !rows.isEmpty else { throw .invalidInput("the request has no rows to predict") }
        let positions = Dictionary(uniqueKeysWithValues: schema.fields.enumerated().map { ($1.name, $0) })
        var columns = [[ScalarValue]](repeating: [], count: schema.fields.count)
        for index in columns.indices { columns[index].reserveCapacity(rows.count) }
        let targets = columnNames.map { positions[$0] }
        for (row, value) in rows.enumerated() {
            guard case .array(let cells) = value else {
                throw .invalidInput("row \(row + 1): expected an array of \(columnNames.count) values, got \(value.shortDescription)", row: row + 1)
            }
            guard cells.count == columnNames.count else {
                throw .invalidInput("row \(row + 1) has \(cells.count) value\(cells.count == 1 ? "" : "s") for \(columnNames.count) column\(columnNames.count == 1 ? "" : "s")", row: row + 1)
            }
            for (cell, target) in zip(cells, targets) {
                guard let target else { continue }
                guard let scalar = cell.scalar else {
                    let name = schema.fields[target].name
                    throw .invalidInput("row \(row + 1), column '\(name)': expected a single value, got \(cell.shortDescription)", row: row + 1, column: name)
                }
                columns[target].append(scalar)
            }
        }
        let given = Set(columnNames)
        let missing = schema.fields.map(\.name).filter { !given.contains($0) }
        return try table(columns, missing: missing, extra: columnNames.filter { positions[$0] == nil }, schema: schema)
    }

    /// CSV with a header row, read by the same reader and checks as `runner predict`.
    static func fromCSV(_ bytes: [UInt8], schema: InputSchema) throws(ServeError) -> Read {
        let source = MemorySource(name: "request body", bytes: bytes, options: ReadOptions(format: .csv, threads: 1))
        do {
            let (table, warnings) = try BundlePrediction.readInput(source, schema: schema)
            guard table.rowCount > 0 else { throw ServeError.invalidInput("the request has no rows to predict") }
            return Read(table: table, warnings: warnings)
        } catch {
            throw describe(error)
        }
    }

    /// Columns of scalars, one per schema field in order, as the typed table the model reads.
    static func table(_ columns: [[ScalarValue]], missing: [String], extra: [String], schema: InputSchema,
                      status: HTTPResponseStatusCode = .unprocessableContent) throws(ServeError) -> Read {
        guard missing.isEmpty else {
            throw .invalidInput(BundleError.missingColumns(missing, needed: schema.fields.map(\.name)), column: missing.first, status: status)
        }
        var built: [Column] = []
        built.reserveCapacity(columns.count)
        let naValues = Set(ReadOptions.defaultNAValues)
        for (field, values) in zip(schema.fields, columns) {
            do {
                built.append(try Column.fromScalars(name: field.name, kind: field.kind, values: values, naValues: naValues))
            } catch {
                let value = describe(values[error.row])
                throw .invalidInput("row \(error.row + 1), column '\(field.name)': \(value) is not \(expectation(field.kind))", row: error.row + 1, column: field.name, status: status)
            }
        }
        let table: Table
        do {
            table = try Table(columns: built)
        } catch {
            throw ServeError(status: .internalServerError, message: "internal error: \(error.description)")
        }
        let warnings = extra.isEmpty ? [] : ["ignoring \(extra.count) column\(extra.count == 1 ? "" : "s") the model does not use: \(extra.joined(separator: ", "))"]
        return Read(table: table, warnings: warnings)
    }

    /// A bundle's refusal of input in HTTP terms: the input's fault is 422 naming where.
    static func describe(_ error: any Error, status: HTTPResponseStatusCode = .unprocessableContent) -> ServeError {
        switch error {
        case let error as ServeError:
            return error
        case BundleError.inputData(let data):
            var message = data.message
            if let line = data.line { message = "line \(line)\(data.column.map { ", column \($0)" } ?? "") of the CSV body: " + message }
            return .invalidInput(message, status: status)
        case BundleError.missingColumns(_, let missing, let needed):
            return .invalidInput(BundleError.missingColumns(missing, needed: needed), column: missing.first, status: status)
        case BundleError.prediction(let learn):
            return predictionError(learn, status: status)
        case let learn as LearnError:
            return predictionError(learn, status: status)
        default:
            return ServeError(status: .internalServerError, message: "internal error: \(error)")
        }
    }

    /// The model's refusal of input (an unseen category, a missing value it cannot take, an
    /// output beyond range), with the row (1-based) and column the error carries.
    static func predictionError(_ error: LearnError, status: HTTPResponseStatusCode) -> ServeError {
        switch error {
        case .unseenCategory(let row, let column, _, let message): return .invalidInput(message, row: row + 1, column: column, status: status)
        case .inputValue(let row, let column, let message): return .invalidInput(message, row: row + 1, column: column, status: status)
        case .missingColumn(let column, let message): return .invalidInput(message, column: column, status: status)
        case .data(let message), .settings(let message): return .invalidInput(message, status: status)
        }
    }

    private static func describe(_ value: ScalarValue) -> String {
        switch value {
        case .missing: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number, let text): return text ?? "\(number)"
        case .string(let text): return JSONWriter.quoted(text.count > 40 ? String(text.prefix(40)) + "..." : text)
        }
    }

    private static func expectation(_ kind: ColumnKind) -> String {
        switch kind {
        case .numeric: return "a number (the model was trained on numbers in this column)"
        case .boolean: return "true or false (the model was trained on booleans in this column)"
        case .categorical: return "a category"
        }
    }

    private static func firstDuplicate(_ names: [String]) -> String? {
        var seen = Set<String>()
        return names.first { !seen.insert($0).inserted }
    }
}

typealias HTTPResponseStatusCode = HTTPResponse.Status
