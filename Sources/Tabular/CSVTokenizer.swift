/// Field boundaries of a CSV file (RFC 4180), found in one pass without copying any field.
///
/// Quoted fields may hold delimiters, doubled quotes and line breaks; records end with LF,
/// CRLF or CR; blank lines are skipped (as pandas does). Every record must have as many
/// fields as the header, and any violation is reported with its line and column.
struct CSVFields {
    /// Set in `ends` when a quoted field holds doubled quotes that must be undone.
    static let escapedFlag: UInt32 = 1 << 31

    var columnCount = 0
    /// Header field spans (start, end with flag).
    var headerStarts: [UInt32] = []
    var headerEnds: [UInt32] = []
    /// Data field spans, row-major: field `row * columnCount + column`.
    var starts: [UInt32] = []
    var ends: [UInt32] = []

    var rowCount: Int { columnCount == 0 ? 0 : starts.count / columnCount }
}

struct CSVTokenizer {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let path: String

    private static let quote = UInt8(ascii: "\"")
    private static let lineFeed: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D

    /// Offset of the first byte after a UTF-8 byte order mark, if any.
    var contentStart: Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    func error(at offset: Int, _ message: String) -> DataError {
        let position = TextPosition.locate(offset: offset, in: bytes)
        return DataError(path: path, line: position.line, column: position.column, message: message)
    }

    /// Splits the file into fields. With `headerOnly`, stops after the first record.
    func tokenize(headerOnly: Bool = false) throws(DataError) -> CSVFields {
        guard bytes.count < Int(CSVFields.escapedFlag) else {
            throw DataError(path: path, message: "files over 2 GiB are not supported yet; split the file")
        }
        let quote = Self.quote, lineFeed = Self.lineFeed, carriageReturn = Self.carriageReturn
        let delimiter = self.delimiter
        let count = bytes.count
        var fields = CSVFields()
        fields.starts.reserveCapacity(count / 6)
        fields.ends.reserveCapacity(count / 6)
        var columnCount = -1
        var index = contentStart

        while index < count {
            let first = bytes[index]
            if first == lineFeed { index += 1; continue }
            if first == carriageReturn {
                index += 1
                if index < count, bytes[index] == lineFeed { index += 1 }
                continue
            }
            var fieldsInRecord = 0
            while true {
                let fieldStart: Int
                var fieldEnd: UInt32
                let reportAt: Int
                if index < count, bytes[index] == quote {
                    reportAt = index
                    let opening = index
                    index += 1
                    fieldStart = index
                    var escaped = false
                    while true {
                        guard index < count else {
                            throw error(at: opening, "unterminated quoted field: no closing quote before the end of the file")
                        }
                        if bytes[index] == quote {
                            if index + 1 < count, bytes[index + 1] == quote {
                                escaped = true
                                index += 2
                                continue
                            }
                            break
                        }
                        index += 1
                    }
                    fieldEnd = UInt32(index) | (escaped ? CSVFields.escapedFlag : 0)
                    index += 1
                    if index < count {
                        let next = bytes[index]
                        if next != delimiter, next != lineFeed, next != carriageReturn {
                            throw error(at: index, "unexpected character after a closing quote (write a quote inside a quoted field as \"\")")
                        }
                    }
                } else {
                    fieldStart = index
                    reportAt = index
                    while index < count {
                        let byte = bytes[index]
                        if byte == delimiter || byte == lineFeed || byte == carriageReturn { break }
                        index += 1
                    }
                    fieldEnd = UInt32(index)
                }
                fieldsInRecord += 1
                if columnCount >= 0, fieldsInRecord > columnCount {
                    throw error(at: reportAt, "row has more fields than the header's \(columnCount)")
                }
                if columnCount < 0 {
                    fields.headerStarts.append(UInt32(fieldStart))
                    fields.headerEnds.append(fieldEnd)
                } else {
                    fields.starts.append(UInt32(fieldStart))
                    fields.ends.append(fieldEnd)
                }
                if index < count, bytes[index] == delimiter {
                    index += 1
                    continue
                }
                break
            }
            let recordEnd = index
            if index < count {
                if bytes[index] == carriageReturn, index + 1 < count, bytes[index + 1] == lineFeed {
                    index += 2
                } else {
                    index += 1
                }
            }
            if columnCount < 0 {
                columnCount = fieldsInRecord
                fields.columnCount = columnCount
                if headerOnly { break }
            } else if fieldsInRecord < columnCount {
                throw error(at: recordEnd, "row has \(fieldsInRecord) field\(fieldsInRecord == 1 ? "" : "s") but the header has \(columnCount)")
            }
        }
        return fields
    }

    /// Calls `body` with the field's bytes, quotes undone (using `scratch` only when needed).
    @inline(__always)
    func withField<R>(
        start: UInt32, end: UInt32, scratch: inout [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        let rawEnd = Int(end & ~CSVFields.escapedFlag)
        let slice = UnsafeBufferPointer(rebasing: bytes[Int(start)..<rawEnd])
        guard end & CSVFields.escapedFlag != 0 else { return body(slice) }
        scratch.removeAll(keepingCapacity: true)
        var index = 0
        while index < slice.count {
            scratch.append(slice[index])
            index += slice[index] == Self.quote ? 2 : 1
        }
        return scratch.withUnsafeBufferPointer(body)
    }

    func string(start: UInt32, end: UInt32) -> String {
        var scratch: [UInt8] = []
        return withField(start: start, end: end, scratch: &scratch) { String(decoding: $0, as: UTF8.self) }
    }
}
