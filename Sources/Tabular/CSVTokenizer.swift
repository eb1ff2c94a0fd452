/// Field boundaries of a CSV file (RFC 4180), found without copying any field.
///
/// Quoted fields may hold delimiters, doubled quotes and line breaks; records end with LF,
/// CRLF or CR; blank lines are skipped (as pandas does). Every record must have as many
/// fields as the header, and any violation is reported with its line and column.
struct CSVFields {
    /// Set in `ends` when a quoted field holds doubled quotes that must be undone.
    static let escapedFlag: UInt32 = 1 << 31

    /// Consecutive whole records. The careful scanner keeps every field's span, row-major
    /// (`starts`/`ends`, field `row * columnCount + column`). The quote-free fast path parses
    /// numbers as it goes and keeps spans only for text columns (`columnStarts`/`columnEnds`).
    struct Chunk: Sendable {
        var rowCount = 0
        var starts: [UInt32] = []
        var ends: [UInt32] = []
        /// Fast path only: per column, its parsed numbers (NaN when missing)...
        var numbers: [[Double]]?
        /// ...the offset of its first field that is neither missing nor a number (-1: none)...
        var firstNonNumber: [Int] = []
        /// ...and, for columns that are not numeric, every field's span.
        var columnStarts: [[UInt32]] = []
        var columnEnds: [[UInt32]] = []
    }

    var columnCount = 0
    /// Header field spans (start, end with flag).
    var headerStarts: [UInt32] = []
    var headerEnds: [UInt32] = []
    /// Data records in file order; one chunk per thread that tokenized them.
    var chunks: [Chunk] = []

    var rowCount: Int { chunks.reduce(0) { $0 + $1.rowCount } }

    /// Calls `body` with the span of each of the chunk's fields in `column`, in row order,
    /// until it returns false.
    func forEachSpan(column: Int, in chunk: Chunk, _ body: (UInt32, UInt32) -> Bool) {
        if chunk.numbers != nil {
            let starts = chunk.columnStarts[column], ends = chunk.columnEnds[column]
            precondition(starts.count == chunk.rowCount, "spans of a numeric column were not kept")
            for row in 0..<chunk.rowCount where !body(starts[row], ends[row]) { return }
        } else {
            var field = column
            while field < chunk.starts.count {
                if !body(chunk.starts[field], chunk.ends[field]) { return }
                field += columnCount
            }
        }
    }

    /// True when a column is numeric in one fast-path chunk but text in another: its spans
    /// were not kept everywhere, so the file must be read again by the careful scanner.
    var needsCarefulRescan: Bool {
        let fast = chunks.filter { $0.numbers != nil }
        if fast.isEmpty { return false }
        // A stretch fell back to the careful scanner, so some column changed type part-way.
        if fast.count < chunks.count { return true }
        for column in 0..<columnCount {
            let flags = fast.map { $0.firstNonNumber[column] }
            if flags.contains(-1), flags.contains(where: { $0 >= 0 }) { return true }
        }
        return false
    }
}

struct CSVTokenizer: @unchecked Sendable {
    // @unchecked: `bytes` points into a buffer its owner keeps alive and unchanged while tokenizing.
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let path: String

    private static let quote = UInt8(ascii: "\"")
    private static let lineFeed: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D
    /// Below this many bytes, splitting the work across threads costs more than it saves.
    private static let parallelThreshold = 1 << 20

    /// Offset of the first byte after a UTF-8 byte order mark, if any.
    var contentStart: Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    func error(at offset: Int, _ message: String) -> DataError {
        let position = TextPosition.locate(offset: offset, in: bytes)
        return DataError(path: path, line: position.line, column: position.column, message: message)
    }

    /// Spans found in one stretch of the file.
    private struct Spans {
        var starts: [UInt32] = []
        var ends: [UInt32] = []
        var records = 0

        var chunk: CSVFields.Chunk { CSVFields.Chunk(rowCount: records, starts: starts, ends: ends) }
    }

    /// Splits the file into fields. With `headerOnly`, stops after the first record.
    /// A body without quotes is split at line ends and tokenized on `threads` threads.
    /// Numbers in quote-free stretches are parsed while their bytes are in cache, with `missing`
    /// deciding NA tokens.
    /// `textColumns` are kept as spans even when they look numeric (type overrides).
    func tokenize(
        headerOnly: Bool = false, threads: Int = 1,
        missing: MissingValueMatcher = MissingValueMatcher(naValues: [""]), textColumns: Set<Int> = [],
        careful: Bool = false
    ) throws(DataError) -> CSVFields {
        guard bytes.count < Int(CSVFields.escapedFlag) else {
            throw DataError(path: path, message: "files over 2 GiB are not supported yet; split the file")
        }
        var fields = CSVFields()
        var header = Spans()
        let bodyStart = try scanRecords(from: contentStart, to: bytes.count, columnCount: nil, maxRecords: 1, into: &header)
        guard header.records == 1 else { return fields }
        fields.columnCount = header.starts.count
        fields.headerStarts = header.starts
        fields.headerEnds = header.ends
        if headerOnly { return fields }

        let quoteFree = !careful && !contains(Self.quote, from: bodyStart)
        let chunks = chunkBoundaries(from: bodyStart, threads: quoteFree ? threads : 1)
        let columnCount = fields.columnCount
        let results = ParallelWork.map(count: chunks.count - 1, threads: threads) { chunk -> Result<CSVFields.Chunk, DataError> in
            let lower = chunks[chunk], upper = chunks[chunk + 1]
            if quoteFree, let fast = scanUnquoted(from: lower, to: upper, columnCount: columnCount, missing: missing, textColumns: textColumns) {
                return .success(fast)
            }
            // Quotes, an odd record, or a column that stops looking numeric part-way:
            // the careful scanner reads (or reports) it.
            var spans = Spans()
            let capacity = estimatedFieldCount(from: lower, to: upper)
            spans.starts.reserveCapacity(capacity)
            spans.ends.reserveCapacity(capacity)
            do throws(DataError) {
                _ = try scanRecords(from: lower, to: upper, columnCount: columnCount, maxRecords: Int.max, into: &spans)
                return .success(spans.chunk)
            } catch {
                return .failure(error)
            }
        }
        for result in results { fields.chunks.append(try result.get()) }
        return fields
    }

    /// Chunk limits that fall just after line ends. Only call it for a body without quote
    /// characters, since a line end inside quotes is not a record end.
    private func chunkBoundaries(from start: Int, threads: Int) -> [Int] {
        let count = bytes.count
        let length = count - start
        guard threads > 1, length >= Self.parallelThreshold else { return [start, count] }
        var boundaries = [start]
        for part in 1..<threads {
            var cut = max(boundaries.last!, start + length / threads * part)
            while cut < count, bytes[cut] != Self.lineFeed, bytes[cut] != Self.carriageReturn { cut += 1 }
            while cut < count, bytes[cut] == Self.lineFeed || bytes[cut] == Self.carriageReturn { cut += 1 }
            if cut < count, cut > boundaries.last! { boundaries.append(cut) }
        }
        boundaries.append(count)
        return boundaries
    }

    private func contains(_ byte: UInt8, from start: Int) -> Bool {
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        var index = start
        let count = bytes.count
        while index + 8 <= count {
            if Self.zeroByteMask(Self.load(bytes, index) ^ pattern) != 0 { return true }
            index += 8
        }
        while index < count {
            if bytes[index] == byte { return true }
            index += 1
        }
        return false
    }

    /// Fields in [start, end), extrapolated from the first 64 KiB (plus a margin), so the span
    /// arrays rarely grow and never over-allocate much.
    private func estimatedFieldCount(from start: Int, to end: Int) -> Int {
        let sampleEnd = min(end, start + 65_536)
        var separators = 1
        for index in start..<sampleEnd {
            let byte = bytes[index]
            if byte == delimiter || byte == Self.lineFeed { separators += 1 }
        }
        let scale = Double(end - start) / Double(max(1, sampleEnd - start))
        return Int(Double(separators) * scale * 1.05) + 16
    }

    @inline(__always)
    private static func load(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self))
    }

    /// High bit set in each byte of `word` that is zero (exact, no false positives).
    @inline(__always)
    private static func zeroByteMask(_ word: UInt64) -> UInt64 {
        let low7 = (word & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F
        return ~(low7 | word | 0x7F7F_7F7F_7F7F_7F7F)
    }

    /// The fast path for text without quotes: finds every delimiter and line end eight bytes at
    /// a time, each one ending a field, and parses numbers while their bytes are in cache.
    /// Returns nil on a record of the wrong width, or when a column turns out not to be numeric
    /// after its first row; the careful scanner then reads the stretch.
    private func scanUnquoted(from start: Int, to end: Int, columnCount: Int, missing: MissingValueMatcher, textColumns: Set<Int>) -> CSVFields.Chunk? {
        let delimiterPattern = UInt64(delimiter) &* 0x0101_0101_0101_0101
        let rowCapacity = lineEndCount(from: start, to: end) + 1
        var scanner = UnquotedScanner(
            base: bytes.baseAddress!, delimiter: delimiter, columnCount: columnCount, rowCapacity: rowCapacity,
            missing: missing, textColumns: textColumns, start: start)
        defer { scanner.release() }
        var index = start
        while index + 8 <= end {
            let word = Self.load(bytes, index)
            var hits = Self.zeroByteMask(word ^ delimiterPattern) | Self.zeroByteMask(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                | Self.zeroByteMask(word ^ 0x0D0D_0D0D_0D0D_0D0D)
            while hits != 0 {
                scanner.separator(at: index + hits.trailingZeroBitCount >> 3)
                hits &= hits &- 1
            }
            if !scanner.regular { return nil }
            index += 8
        }
        while index < end {
            let byte = bytes[index]
            if byte == delimiter || byte == Self.lineFeed || byte == Self.carriageReturn { scanner.separator(at: index) }
            index += 1
        }
        scanner.finish(at: end)
        return scanner.regular ? scanner.chunk() : nil
    }

    /// Line ends in [start, end): at least the number of records there.
    private func lineEndCount(from start: Int, to end: Int) -> Int {
        var total = 0
        var index = start
        while index + 8 <= end {
            let word = Self.load(bytes, index)
            let hits = Self.zeroByteMask(word ^ 0x0A0A_0A0A_0A0A_0A0A) | Self.zeroByteMask(word ^ 0x0D0D_0D0D_0D0D_0D0D)
            // One bit per matching byte; a multiply sums the bytes (no popcount instruction needed).
            total += Int(truncatingIfNeeded: ((hits >> 7) &* 0x0101_0101_0101_0101) >> 56)
            index += 8
        }
        while index < end {
            if bytes[index] == Self.lineFeed || bytes[index] == Self.carriageReturn { total += 1 }
            index += 1
        }
        return total
    }

    /// Reads records in [start, end) into `spans`; returns the offset after the last record read.
    /// `columnCount` nil: the header, whose width sets it.
    private func scanRecords(from start: Int, to end: Int, columnCount: Int?, maxRecords: Int, into spans: inout Spans) throws(DataError) -> Int {
        let quote = Self.quote, lineFeed = Self.lineFeed, carriageReturn = Self.carriageReturn
        let delimiter = self.delimiter
        let bytes = self.bytes
        let delimiterPattern = UInt64(delimiter) &* 0x0101_0101_0101_0101
        let lineFeedPattern: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        let carriageReturnPattern: UInt64 = 0x0D0D_0D0D_0D0D_0D0D
        let expected = columnCount ?? Int.max
        var index = start

        while index < end, spans.records < maxRecords {
            let first = bytes[index]
            if first == lineFeed { index += 1; continue }
            if first == carriageReturn {
                index += 1
                if index < end, bytes[index] == lineFeed { index += 1 }
                continue
            }
            var fieldsInRecord = 0
            while true {
                let fieldStart: Int
                let fieldEnd: UInt32
                let reportAt = index
                if index < end, bytes[index] == quote {
                    let opening = index
                    index += 1
                    fieldStart = index
                    var escaped = false
                    while true {
                        guard index < end else {
                            throw error(at: opening, "unterminated quoted field: no closing quote before the end of the file")
                        }
                        if bytes[index] == quote {
                            if index + 1 < end, bytes[index + 1] == quote {
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
                    if index < end {
                        let next = bytes[index]
                        if next != delimiter, next != lineFeed, next != carriageReturn {
                            throw error(at: index, "unexpected character after a closing quote (write a quote inside a quoted field as \"\")")
                        }
                    }
                } else {
                    fieldStart = index
                    // Eight bytes at a time to the next delimiter or line end.
                    while index + 8 <= end {
                        let word = Self.load(bytes, index)
                        let hits = Self.zeroByteMask(word ^ delimiterPattern) | Self.zeroByteMask(word ^ lineFeedPattern)
                            | Self.zeroByteMask(word ^ carriageReturnPattern)
                        if hits != 0 {
                            index += hits.trailingZeroBitCount >> 3
                            break
                        }
                        index += 8
                    }
                    while index < end {
                        let byte = bytes[index]
                        if byte == delimiter || byte == lineFeed || byte == carriageReturn { break }
                        index += 1
                    }
                    fieldEnd = UInt32(index)
                }
                fieldsInRecord += 1
                if fieldsInRecord > expected {
                    throw error(at: reportAt, "row has more fields than the header's \(expected)")
                }
                spans.starts.append(UInt32(fieldStart))
                spans.ends.append(fieldEnd)
                if index < end, bytes[index] == delimiter {
                    index += 1
                    continue
                }
                break
            }
            let recordEnd = index
            if index < end {
                if bytes[index] == carriageReturn, index + 1 < end, bytes[index + 1] == lineFeed {
                    index += 2
                } else {
                    index += 1
                }
            }
            if let columnCount, fieldsInRecord < columnCount {
                throw error(at: recordEnd, "row has \(fieldsInRecord) field\(fieldsInRecord == 1 ? "" : "s") but the header has \(columnCount)")
            }
            spans.records += 1
        }
        return index
    }

    /// Calls `body` with the field's bytes, quotes undone (using `scratch` only when needed).
    @inline(__always)
    func withField<R>(
        start: UInt32, end: UInt32, scratch: inout [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        let rawEnd = Int(end & ~CSVFields.escapedFlag)
        let slice = UnsafeBufferPointer(start: bytes.baseAddress! + Int(start), count: rawEnd - Int(start))
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

/// State of the quote-free scan, kept in a struct so the hot loop needs no dynamic checks.
/// Numbers go straight into one column-major buffer sized for the stretch's line count.
private struct UnquotedScanner {
    let base: UnsafePointer<UInt8>
    let delimiter: UInt8
    let columnCount: Int
    let rowCapacity: Int
    let missing: MissingValueMatcher
    let parser = NumberParser()
    /// Column-major: column c's row r at `c * rowCapacity + r`.
    let values: UnsafeMutablePointer<Double>
    var fieldStart: Int
    var fieldsInRecord = 0
    var rows = 0
    var regular = true
    /// Per column: -1 while numeric, else the offset of its first non-number.
    var firstNonNumber: [Int]
    var columnStarts: [[UInt32]]
    var columnEnds: [[UInt32]]

    init(base: UnsafePointer<UInt8>, delimiter: UInt8, columnCount: Int, rowCapacity: Int,
         missing: MissingValueMatcher, textColumns: Set<Int>, start: Int) {
        self.base = base
        self.delimiter = delimiter
        self.columnCount = columnCount
        self.rowCapacity = rowCapacity
        self.missing = missing
        values = .allocate(capacity: columnCount * rowCapacity)
        fieldStart = start
        // A text column is marked non-numeric from the start (offset -2: not a data error).
        firstNonNumber = (0..<columnCount).map { textColumns.contains($0) ? -2 : -1 }
        columnStarts = Array(repeating: [], count: columnCount)
        columnEnds = Array(repeating: [], count: columnCount)
    }

    func release() { values.deallocate() }

    @inline(__always)
    mutating func endField(at position: Int) {
        let column = fieldsInRecord
        guard column < columnCount else { regular = false; return }
        if firstNonNumber[column] == -1 {
            let field = UnsafeBufferPointer(start: base + fieldStart, count: position - fieldStart)
            if missing.isMissing(field) {
                values[column &* rowCapacity &+ rows] = .nan
                return
            }
            if let number = parser.parse(field) {
                values[column &* rowCapacity &+ rows] = number
                return
            }
            // Not numeric after all; its earlier spans were not kept, so only row 0 can switch here.
            if rows > 0 { regular = false; return }
            firstNonNumber[column] = fieldStart
            columnStarts[column].reserveCapacity(rowCapacity)
            columnEnds[column].reserveCapacity(rowCapacity)
        }
        columnStarts[column].append(UInt32(fieldStart))
        columnEnds[column].append(UInt32(position))
    }

    @inline(__always)
    mutating func separator(at position: Int) {
        if base[position] == delimiter {
            endField(at: position)
            fieldsInRecord += 1
        } else if fieldsInRecord == 0 && fieldStart == position {
            // A blank line, or the LF of a CRLF: no record.
        } else {
            endField(at: position)
            if fieldsInRecord + 1 != columnCount { regular = false }
            fieldsInRecord = 0
            rows += 1
        }
        fieldStart = position + 1
    }

    mutating func finish(at end: Int) {
        if fieldsInRecord > 0 || fieldStart < end {
            endField(at: end)
            if fieldsInRecord + 1 != columnCount { regular = false }
            rows += 1
        }
    }

    func chunk() -> CSVFields.Chunk {
        let numbers: [[Double]] = (0..<columnCount).map { column in
            guard firstNonNumber[column] == -1 else { return [] }
            return Array(UnsafeBufferPointer(start: values + column * rowCapacity, count: rows))
        }
        return CSVFields.Chunk(
            rowCount: rows, numbers: numbers, firstNonNumber: firstNonNumber,
            columnStarts: columnStarts, columnEnds: columnEnds)
    }
}
