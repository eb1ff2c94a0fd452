import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a table comes from. The engine keys caches by a source's content digest, the lock
/// records its identity, and prediction reads new data through it; files are the first
/// implementation, and database queries join the same way.
public protocol DataSource: Sendable, CustomStringConvertible {
    /// A short word for the lock and messages: "file", later "sqlite", "postgres".
    var kind: String { get }
    /// What changes whenever the content may have changed; cheap to compute. A source whose
    /// identity is unchanged keeps its cached digest; an identity that changes between
    /// planning and reading means the data changed under a run.
    func identity() throws(DataError) -> String
    /// Column names, read without loading the whole source where the format allows.
    func columnNames() throws(DataError) -> [String]
    /// The whole table. `options.columnKinds` forces column types.
    func read(options: ReadOptions) throws(DataError) -> Table
    /// The content as bytes, in chunks, for a digest that names exactly this data.
    func streamContent(_ consume: (UnsafeRawBufferPointer) -> Void) throws(DataError)
    /// True when `identity()` has to read the content (a database query): callers then let the
    /// first `read` establish it rather than asking for it first, so the rows are read once.
    var identityReadsContent: Bool { get }
}

extension DataSource {
    public var identityReadsContent: Bool { false }
}

/// A CSV or JSON Lines file.
public struct FileSource: DataSource, Equatable {
    public var path: String
    /// Format, delimiter and missing-value tokens; column types are given per read.
    public var options: ReadOptions

    public init(path: String, options: ReadOptions = ReadOptions()) {
        self.path = path
        self.options = options
    }

    public var kind: String { "file" }
    public var description: String { path }
    public var format: DataFormat { options.format ?? DataFormat.inferred(fromPath: path) }

    /// Absolute path, size, modification time (ns), inode and device.
    public func identity() throws(DataError) -> String {
        try FileIdentity.of(path, what: "a CSV or JSON Lines file")
    }

    /// CSV: the first record only (the first megabyte when it holds the whole header line
    /// without quotes, else the file); JSON Lines has no header, so its keys are read from
    /// the whole file.
    public func columnNames() throws(DataError) -> [String] {
        var untyped = options
        untyped.columnKinds = [:]
        if format == .csv {
            if let handle = FileHandle(forReadingAtPath: path) {
                defer { try? handle.close() }
                let head = handle.readData(ofLength: 1 << 20)
                if let newline = head.firstIndex(of: 0x0A), !head[..<newline].contains(0x22) {
                    return try CSVReader.read(bytes: [UInt8](head[...newline]), path: path, options: untyped).columnNames
                }
            }
            return try CSVReader.header(path: path, options: untyped)
        }
        return try JSONLinesReader.read(path: path, options: untyped).columnNames
    }

    public func read(options columnOptions: ReadOptions) throws(DataError) -> Table {
        var merged = options
        merged.columnKinds = columnOptions.columnKinds
        merged.threads = columnOptions.threads
        return try TableReader.read(path: path, options: merged)
    }

    public func read() throws(DataError) -> Table { try TableReader.read(path: path, options: options) }

    public func streamContent(_ consume: (UnsafeRawBufferPointer) -> Void) throws(DataError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw DataError(path: path, message: "cannot read the file (\(String(cString: strerror(errno))))") }
        defer { close(descriptor) }
        let chunk = 4 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, chunk)
            if count < 0 {
                if errno == EINTR { continue }
                throw DataError(path: path, message: "cannot read the file (\(String(cString: strerror(errno))))")
            }
            if count == 0 { return }
            consume(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}

/// What changes whenever a file's content may have changed: absolute path, size,
/// modification time (ns), inode and device. Cheap (one stat), so unchanged large data is
/// hashed once.
public enum FileIdentity {
    /// `what` names the file a regular file was expected to be ("a CSV or JSON Lines file").
    public static func of(_ path: String, what: String) throws(DataError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { throw DataError(path: path, message: "cannot read the file (\(String(cString: strerror(errno))))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw DataError(path: path, message: "not a regular file; give \(what)") }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        #if canImport(Darwin)
        let modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #else
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #endif
        return "\(absolute)\u{0}\(info.st_size)\u{0}\(modified)\u{0}\(info.st_ino)\u{0}\(info.st_dev)"
    }
}
