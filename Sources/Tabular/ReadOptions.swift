/// File formats the readers understand.
public enum DataFormat: String, Sendable, Codable, CaseIterable {
    case csv
    case jsonl

    /// The format implied by a file name: `.jsonl`/`.ndjson` are JSON Lines, everything else CSV.
    public static func inferred(fromPath path: String) -> DataFormat {
        let lower = path.lowercased()
        return lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") ? .jsonl : .csv
    }
}

/// How to read a data file into a `Table`.
public struct ReadOptions: Sendable, Equatable {
    /// pandas' default NA tokens, so files read the same way users are used to.
    public static let defaultNAValues: [String] = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
        "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ]

    /// nil: decided by the file extension.
    public var format: DataFormat?
    /// nil: tab for `.tsv` files, comma otherwise.
    public var delimiter: UInt8?
    /// Field values that mean "missing". An empty field is always missing (added when absent).
    public var naValues: [String] {
        didSet { if !naValues.contains("") { naValues.insert("", at: 0) } }
    }
    /// Column types that override inference; a value that does not fit is an error.
    public var columnKinds: [String: ColumnKind]
    /// Worker threads for column conversion; results do not depend on it.
    public var threads: Int

    public init(
        format: DataFormat? = nil,
        delimiter: UInt8? = nil,
        naValues: [String] = ReadOptions.defaultNAValues,
        columnKinds: [String: ColumnKind] = [:],
        threads: Int = ParallelWork.defaultThreadCount
    ) {
        self.format = format
        self.delimiter = delimiter
        self.naValues = naValues.contains("") ? naValues : [""] + naValues  // didSet does not run in init
        self.columnKinds = columnKinds
        self.threads = max(1, threads)
    }

    func resolvedDelimiter(forPath path: String) -> UInt8 {
        if let delimiter { return delimiter }
        return path.lowercased().hasSuffix(".tsv") ? UInt8(ascii: "\t") : UInt8(ascii: ",")
    }
}
