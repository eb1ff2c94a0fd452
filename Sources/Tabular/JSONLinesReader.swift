/// Reads JSON Lines: one flat JSON object per line; keys become columns in order of first
/// appearance, a missing key or `null` is a missing value. Numbers make numeric columns,
/// true/false boolean ones, strings categorical ones (NA tokens in strings count as missing).
public enum JSONLinesReader {
    public static func read(path: String, options: ReadOptions = ReadOptions()) throws(DataError) -> Table {
        try read(bytes: FileBytes.read(path: path), path: path, options: options)
    }

    public static func read(bytes: [UInt8], path: String, options: ReadOptions = ReadOptions()) throws(DataError) -> Table {
        let result: Result<Table, DataError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(DataError) {
                if let offset = UTF8Check.firstInvalidOffset(in: buffer) {
                    let position = TextPosition.locate(offset: offset, in: buffer)
                    throw DataError(path: path, line: position.line, column: position.column, message: "invalid UTF-8; save the file as UTF-8")
                }
                var parser = FlatJSONParser(bytes: buffer, path: path)
                let cells = try parser.parseLines()
                return .success(try build(cells, path: path, options: options))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func build(_ parsed: FlatJSONParser.Output, path: String, options: ReadOptions) throws(DataError) -> Table {
        for name in options.columnKinds.keys where !parsed.names.contains(name) {
            throw DataError(path: path, message: "a type is set for column '\(name)', which no record has")
        }
        let missing = Set(options.naValues)
        var columns: [Column] = []
        for (index, name) in parsed.names.enumerated() {
            let cells = parsed.cells[index]
            do {
                columns.append(try Column.fromScalars(name: name, kind: options.columnKinds[name], values: cells.map(\.value), naValues: missing))
            } catch {
                throw DataError(path: path, line: parsed.lines[error.row], column: cells[error.row].column, message: error.message)
            }
        }
        do {
            return try Table(columns: columns)
        } catch {
            throw DataError(path: path, message: error.description)
        }
    }
}

/// A small JSON parser for flat objects (scalar values only), with exact error positions.
struct FlatJSONParser {
    typealias Value = ScalarValue

    struct Cell {
        var value: Value
        var column: Int
    }

    struct Output {
        var names: [String] = []
        var cells: [[Cell]] = []
        var lines: [Int] = []
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let path: String
    private var index = 0
    private let numbers = NumberParser()

    init(bytes: UnsafeBufferPointer<UInt8>, path: String) {
        self.bytes = bytes
        self.path = path
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
    }

    private func error(_ message: String, at offset: Int? = nil) -> DataError {
        let position = TextPosition.locate(offset: offset ?? index, in: bytes)
        return DataError(path: path, line: position.line, column: position.column, message: message)
    }

    private func column(of offset: Int) -> Int { TextPosition.locate(offset: offset, in: bytes).column }

    mutating func parseLines() throws(DataError) -> Output {
        var output = Output()
        var columnIndex: [String: Int] = [:]
        var row = 0
        while index < bytes.count {
            skipSpaces()
            if index < bytes.count, bytes[index] == 0x0A || bytes[index] == 0x0D {
                index += 1
                continue
            }
            guard index < bytes.count else { break }
            guard bytes[index] == UInt8(ascii: "{") else { throw error("expected a JSON object ('{') at the start of the line") }
            let objectLine = TextPosition.locate(offset: index, in: bytes).line
            index += 1
            var seenKeys = Set<String>()
            skipSpaces()
            if peek(UInt8(ascii: "}")) {
                index += 1
            } else {
                while true {
                    skipSpaces()
                    let keyOffset = index
                    guard peek(UInt8(ascii: "\"")) else { throw error("expected a key in double quotes") }
                    let key = try parseString()
                    guard seenKeys.insert(key).inserted else { throw error("duplicate key '\(key)'", at: keyOffset) }
                    skipSpaces()
                    guard peek(UInt8(ascii: ":")) else { throw error("expected ':' after the key") }
                    index += 1
                    skipSpaces()
                    let valueOffset = index
                    let value = try parseScalar(key: key)
                    let slot: Int
                    if let existing = columnIndex[key] {
                        slot = existing
                    } else {
                        slot = output.names.count
                        columnIndex[key] = slot
                        output.names.append(key)
                        output.cells.append(Array(repeating: Cell(value: .missing, column: 0), count: row))
                    }
                    output.cells[slot].append(Cell(value: value, column: column(of: valueOffset)))
                    skipSpaces()
                    if peek(UInt8(ascii: ",")) { index += 1; continue }
                    if peek(UInt8(ascii: "}")) { index += 1; break }
                    throw error("expected ',' or '}'")
                }
            }
            skipSpaces()
            if index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D {
                throw error("unexpected text after the object; JSON Lines holds one object per line")
            }
            row += 1
            output.lines.append(objectLine)
            for slot in output.cells.indices where output.cells[slot].count < row {
                output.cells[slot].append(Cell(value: .missing, column: 0))
            }
        }
        return output
    }

    private func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

    private mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
    }

    private mutating func parseScalar(key: String) throws(DataError) -> Value {
        guard index < bytes.count else { throw error("expected a value for '\(key)'") }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            throw error("value of '\(key)' is a nested \(bytes[index] == UInt8(ascii: "{") ? "object" : "array"); only flat records are supported")
        default:
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { break }
                index += 1
            }
            let word = UnsafeBufferPointer(rebasing: bytes[start..<index])
            let text = String(decoding: word, as: UTF8.self)
            switch text {
            case "null": return .missing
            case "true": return .bool(true)
            case "false": return .bool(false)
            default:
                func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
                guard isDigit(word.first) || (word.first == UInt8(ascii: "-") && isDigit(word.dropFirst().first)) else {
                    throw error("value of '\(key)' is not valid JSON (strings need double quotes)", at: start)
                }
                // A number beyond Double's range (1e400) is infinite, as in the CSV reader and Python's json.
                guard let value = numbers.parse(word), !value.isNaN else {
                    throw error("value of '\(key)' is not a valid JSON number: \(text)", at: start)
                }
                return .number(value, text: text)
            }
        }
    }

    private mutating func parseString() throws(DataError) -> String {
        do throws(JSONString.Failure) {
            return try JSONString.parse(bytes, at: &index)
        } catch {
            throw self.error(error.message, at: error.offset)
        }
    }
}
