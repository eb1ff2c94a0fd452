/// CSV or JSON Lines already in memory: a request body a prediction server received, read
/// the same way as a file (same types, same located errors; `name` stands for the path).
public struct MemorySource: DataSource {
    public var name: String
    public var bytes: [UInt8]
    public var options: ReadOptions

    public init(name: String, bytes: [UInt8], options: ReadOptions) {
        self.name = name
        self.bytes = bytes
        self.options = options
    }

    public var kind: String { "memory" }
    public var description: String { name }
    private var format: DataFormat { options.format ?? .csv }

    /// The length and an FNV-1a hash of the bytes: cheap, and changes with the content.
    public func identity() throws(DataError) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "\(bytes.count)\u{0}\(String(hash, radix: 16))"
    }

    public func columnNames() throws(DataError) -> [String] {
        var untyped = options
        untyped.columnKinds = [:]
        if format == .csv {
            if let newline = bytes.firstIndex(of: 0x0A), !bytes[..<newline].contains(0x22) {
                return try CSVReader.read(bytes: Array(bytes[...newline]), path: name, options: untyped).columnNames
            }
            return try CSVReader.read(bytes: bytes, path: name, options: untyped).columnNames
        }
        return try JSONLinesReader.read(bytes: bytes, path: name, options: untyped).columnNames
    }

    public func read(options columnOptions: ReadOptions) throws(DataError) -> Table {
        var merged = options
        merged.columnKinds = columnOptions.columnKinds
        merged.threads = columnOptions.threads
        return format == .csv
            ? try CSVReader.read(bytes: bytes, path: name, options: merged)
            : try JSONLinesReader.read(bytes: bytes, path: name, options: merged)
    }

    public func streamContent(_ consume: (UnsafeRawBufferPointer) -> Void) throws(DataError) {
        bytes.withUnsafeBytes { consume($0) }
    }
}
