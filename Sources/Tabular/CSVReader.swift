/// Reads CSV text into a typed `Table`.
///
/// Type inference per column: numeric when every non-missing value parses as a number;
/// boolean when every one is true/false (any case); categorical otherwise.
/// `ReadOptions.columnKinds` overrides inference, and then a value that does not fit is an error.
public enum CSVReader {
    public static func read(path: String, options: ReadOptions = ReadOptions()) throws(DataError) -> Table {
        let bytes = try FileBytes.read(path: path)
        return try read(bytes: bytes, path: path, options: options)
    }

    /// `path` only names the source in error messages.
    public static func read(bytes: [UInt8], path: String, options: ReadOptions = ReadOptions()) throws(DataError) -> Table {
        let delimiter = options.resolvedDelimiter(forPath: path)
        let result: Result<Table, DataError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(DataError) {
                let tokenizer = CSVTokenizer(bytes: buffer, delimiter: delimiter, path: path)
                try checkEncoding(tokenizer)
                let missing = MissingValueMatcher(naValues: options.naValues)
                let names = try columnNames(tokenizer, try tokenizer.tokenize(headerOnly: true))
                let textColumns = Set(names.indices.filter { options.columnKinds[names[$0]].map { $0 != .numeric } ?? false })
                var fields = try tokenizer.tokenize(threads: options.threads, missing: missing, textColumns: textColumns)
                if fields.needsCarefulRescan {
                    fields = try tokenizer.tokenize(threads: 1, careful: true)
                }
                return .success(try buildTable(tokenizer, fields, missing, options))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The column names of the header row.
    public static func header(path: String, options: ReadOptions = ReadOptions()) throws(DataError) -> [String] {
        let bytes = try FileBytes.read(path: path)
        let delimiter = options.resolvedDelimiter(forPath: path)
        let result: Result<[String], DataError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(DataError) {
                let tokenizer = CSVTokenizer(bytes: buffer, delimiter: delimiter, path: path)
                try checkEncoding(tokenizer)
                return .success(try columnNames(tokenizer, try tokenizer.tokenize(headerOnly: true)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Every record, header first, as strings exactly as written (quotes undone, nothing missing).
    public static func records(bytes: [UInt8], path: String = "<memory>", delimiter: UInt8 = UInt8(ascii: ",")) throws(DataError) -> [[String]] {
        let result: Result<[[String]], DataError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(DataError) {
                let tokenizer = CSVTokenizer(bytes: buffer, delimiter: delimiter, path: path)
                try checkEncoding(tokenizer)
                let fields = try tokenizer.tokenize(careful: true)
                guard fields.columnCount > 0 else { return .success([]) }
                var rows = [zip(fields.headerStarts, fields.headerEnds).map { tokenizer.string(start: $0, end: $1) }]
                for chunk in fields.chunks {
                    for row in 0..<chunk.rowCount {
                        let range = row * fields.columnCount..<(row + 1) * fields.columnCount
                        rows.append(range.map { tokenizer.string(start: chunk.starts[$0], end: chunk.ends[$0]) })
                    }
                }
                return .success(rows)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func checkEncoding(_ tokenizer: CSVTokenizer) throws(DataError) {
        if let offset = UTF8Check.firstInvalidOffset(in: tokenizer.bytes) {
            throw tokenizer.error(at: offset, "invalid UTF-8 byte 0x\(String(tokenizer.bytes[offset], radix: 16, uppercase: true)); save the file as UTF-8")
        }
    }

    private static func columnNames(_ tokenizer: CSVTokenizer, _ fields: CSVFields) throws(DataError) -> [String] {
        guard fields.columnCount > 0 else { throw DataError(path: tokenizer.path, message: "the file is empty: expected a header row") }
        var names: [String] = []
        var seen: [String: Int] = [:]
        for index in 0..<fields.columnCount {
            var name = tokenizer.string(start: fields.headerStarts[index], end: fields.headerEnds[index])
                .trimmingSpaces()
            if name.isEmpty { name = "unnamed_\(index + 1)" }
            if let previous = seen[name] {
                throw tokenizer.error(at: Int(fields.headerStarts[index]), "duplicate column name '\(name)' (also column \(previous + 1) of the header)")
            }
            seen[name] = index
            names.append(name)
        }
        return names
    }

    private static func buildTable(_ tokenizer: CSVTokenizer, _ fields: CSVFields, _ missing: MissingValueMatcher, _ options: ReadOptions) throws(DataError) -> Table {
        let names = try columnNames(tokenizer, fields)
        for name in options.columnKinds.keys where !names.contains(name) {
            throw DataError(path: tokenizer.path, message: "a type is set for column '\(name)', which is not in the header")
        }
        let builder = CSVColumnBuilder(tokenizer: tokenizer, fields: fields, missing: missing)
        let kinds = names.map { options.columnKinds[$0] }
        let results = ParallelWork.map(count: names.count, threads: options.threads) { index in
            builder.column(index, name: names[index], kind: kinds[index])
        }
        var columns: [Column] = []
        var failures: [CSVColumnBuilder.Failure] = []
        for result in results {
            switch result {
            case .success(let column): columns.append(column)
            case .failure(let failure): failures.append(failure)
            }
        }
        // Report the failure nearest the top of the file, whatever thread found it.
        if let first = failures.min(by: { $0.offset < $1.offset }) { throw first.error }
        do {
            return try Table(columns: columns)
        } catch {
            throw DataError(path: tokenizer.path, message: error.description)
        }
    }
}

/// Converts one column's fields into typed storage. Shared read-only across worker threads.
private struct CSVColumnBuilder: @unchecked Sendable {
    // @unchecked: holds a pointer into a buffer that outlives every worker and is never written.
    let tokenizer: CSVTokenizer
    let fields: CSVFields
    let missing: MissingValueMatcher
    let numbers = NumberParser()

    struct Failure: Error { let offset: Int; let error: DataError }

    func column(_ index: Int, name: String, kind: ColumnKind?) -> Result<Column, Failure> {
        switch kind {
        case .numeric?:
            return numeric(index, name: name).mapError { rejected in
                Failure(offset: rejected.offset, error: failure(at: rejected.offset, "column '\(name)' is numeric but this value is not a number"))
            }
        case .boolean?:
            return boolean(index, name: name).mapError { rejected in
                Failure(offset: rejected.offset, error: failure(at: rejected.offset, "column '\(name)' is boolean but this value is not true or false"))
            }
        case .categorical?:
            return .success(categorical(index, name: name))
        case nil:
            if case .success(let column) = numeric(index, name: name) { return .success(column) }
            if case .success(let column) = boolean(index, name: name) { return .success(column) }
            return .success(categorical(index, name: name))
        }
    }

    private func failure(at offset: Int, _ message: String) -> DataError {
        tokenizer.error(at: offset, message)
    }

    private struct Rejected: Error { let offset: Int }

    /// Either the column, or the byte offset of the first value that does not fit.
    /// Numbers the tokenizer already parsed are copied; spans are parsed here.
    private func numeric(_ index: Int, name: String) -> Result<Column, Rejected> {
        if fields.chunks.count == 1, let numbers = fields.chunks[0].numbers, fields.chunks[0].firstNonNumber[index] == -1 {
            return .success(Column(name: name, numeric: numbers[index]))
        }
        var values = [Double]()
        values.reserveCapacity(fields.rowCount)
        for chunk in fields.chunks {
            if let numbers = chunk.numbers {
                let firstNonNumber = chunk.firstNonNumber[index]
                if firstNonNumber >= 0 { return .failure(Rejected(offset: firstNonNumber)) }
                if firstNonNumber == -1 {
                    values += numbers[index]
                    continue
                }
            }
            var rejectedAt = -1
            var scratch: [UInt8] = []
            fields.forEachSpan(column: index, in: chunk) { start, end in
                let value: Double? = tokenizer.withField(start: start, end: end, scratch: &scratch) { bytes in
                    missing.isMissing(bytes) ? .nan : numbers.parse(bytes)
                }
                guard let value else {
                    rejectedAt = Int(start)
                    return false
                }
                values.append(value)
                return true
            }
            if rejectedAt >= 0 { return .failure(Rejected(offset: rejectedAt)) }
        }
        return .success(Column(name: name, numeric: values))
    }

    /// Calls `body` with each of the column's fields' bytes in row order; stops when it returns false.
    private func forEachField(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>, UInt32) -> Bool) {
        var scratch: [UInt8] = []
        for chunk in fields.chunks {
            var stopped = false
            fields.forEachSpan(column: index, in: chunk) { start, end in
                let keepGoing = tokenizer.withField(start: start, end: end, scratch: &scratch) { body($0, start) }
                stopped = !keepGoing
                return keepGoing
            }
            if stopped { return }
        }
    }

    private func boolean(_ index: Int, name: String) -> Result<Column, Rejected> {
        var values = [Double]()
        values.reserveCapacity(fields.rowCount)
        var rejectedAt = -1
        forEachField(index) { bytes, start in
            if missing.isMissing(bytes) {
                values.append(.nan)
            } else if let flag = BooleanText.parse(bytes) {
                values.append(flag ? 1 : 0)
            } else {
                rejectedAt = Int(start)
                return false
            }
            return true
        }
        if rejectedAt >= 0 { return .failure(Rejected(offset: rejectedAt)) }
        return .success(Column(name: name, numeric: values, kind: .boolean))
    }

    private func categorical(_ index: Int, name: String) -> Column {
        var interner = ByteInterner()
        var codes = [Int32]()
        codes.reserveCapacity(fields.rowCount)
        forEachField(index) { bytes, _ in
            codes.append(missing.isMissing(bytes) ? CategoricalColumn.missing : interner.code(for: bytes))
            return true
        }
        return Column(name: name, categorical: CategoricalColumn(codes: codes, categories: interner.strings))
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
