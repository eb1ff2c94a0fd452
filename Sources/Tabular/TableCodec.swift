import Foundation

/// A compact, exact binary form of a table (little-endian), so a loaded dataset can be stored
/// as an artifact and read back bit for bit: numbers keep their bit patterns (NaN included),
/// categoricals keep their codes and category order.
///
/// Layout (the host byte order must be little-endian, as on x86-64 and arm64): magic "RTBL", format u32, rows u64, columns u32; then per column: name, kind byte,
/// and either rows × f64 or (category count u32, categories, rows × i32 codes). Strings are a
/// u32 byte length and UTF-8 bytes.
#if _endian(big)
#error("TableCodec writes the host byte order and assumes little-endian")
#endif

public enum TableCodec {
    static let magic: [UInt8] = Array("RTBL".utf8)
    static let format: UInt32 = 1

    public static func encode(_ table: Table) -> Data {
        var out = Data()
        out.reserveCapacity(32 + table.rowCount * table.columnCount * 8)
        out.append(contentsOf: magic)
        append(format, to: &out)
        append(UInt64(table.rowCount), to: &out)
        append(UInt32(table.columnCount), to: &out)
        for column in table.columns {
            append(column.name, to: &out)
            out.append(kindCode(column.kind))
            switch column.storage {
            case .numeric(let values):
                values.withUnsafeBytes { out.append(contentsOf: $0) }
            case .categorical(let categorical):
                append(UInt32(categorical.categories.count), to: &out)
                for category in categorical.categories { append(category, to: &out) }
                categorical.codes.withUnsafeBytes { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    public static func decode(_ data: Data) throws(TableCodecError) -> Table {
        var reader = ByteReader(data)
        guard reader.bytes(4) == magic else { throw TableCodecError("not a runner table (bad magic)") }
        let version: UInt32 = try reader.integer()
        guard version == format else { throw TableCodecError("table format \(version) is not supported (this runner reads \(format))") }
        let rows = Int(try reader.integer() as UInt64)
        let columnCount = Int(try reader.integer() as UInt32)
        var columns: [Column] = []
        columns.reserveCapacity(columnCount)
        for _ in 0..<columnCount {
            let name = try reader.string()
            guard let kindByte = reader.bytes(1)?.first, let kind = kind(kindByte) else { throw TableCodecError("bad column kind") }
            if kind == .categorical {
                let categoryCount = Int(try reader.integer() as UInt32)
                var categories: [String] = []
                for _ in 0..<categoryCount { categories.append(try reader.string()) }
                let codes: [Int32] = try reader.array(rows)
                guard codes.allSatisfy({ $0 >= -1 && Int($0) < categoryCount }) else { throw TableCodecError("column '\(name)': code out of range") }
                columns.append(Column(name: name, categorical: CategoricalColumn(codes: codes, categories: categories)))
            } else {
                let values: [Double] = try reader.array(rows)
                columns.append(Column(name: name, numeric: values, kind: kind))
            }
        }
        guard reader.atEnd else { throw TableCodecError("trailing bytes after the last column") }
        do {
            return try Table(columns: columns)
        } catch {
            throw TableCodecError(error.description)
        }
    }

    private static func kindCode(_ kind: ColumnKind) -> UInt8 {
        switch kind {
        case .numeric: return 0
        case .categorical: return 1
        case .boolean: return 2
        }
    }

    private static func kind(_ code: UInt8) -> ColumnKind? {
        [0: .numeric, 1: .categorical, 2: .boolean][code]
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func append(_ text: String, to out: inout Data) {
        let bytes = Array(text.utf8)
        append(UInt32(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }
}

public struct TableCodecError: Error, CustomStringConvertible, Equatable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Sequential little-endian reads with bounds checks.
private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ data: Data) { bytes = [UInt8](data) }

    var atEnd: Bool { offset == bytes.count }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func integer<T: FixedWidthInteger>() throws(TableCodecError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw TableCodecError("truncated table") }
        var value: T = 0
        for index in 0..<size { value |= T(bytes[offset + index]) << (8 * index) }
        offset += size
        return value
    }

    /// `count` raw values; the host is little-endian (x86-64, arm64), as the format.
    mutating func array<T: BitwiseCopyable>(_ count: Int) throws(TableCodecError) -> [T] {
        let size = count * MemoryLayout<T>.stride
        guard count >= 0, bytes.count - offset >= size else { throw TableCodecError("truncated table") }
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + size]))
            }
            initialized = count
        }
        offset += size
        return values
    }

    mutating func string() throws(TableCodecError) -> String {
        let length = Int(try integer() as UInt32)
        guard let raw = bytes(length) else { throw TableCodecError("truncated table") }
        guard let text = String(validating: raw, as: UTF8.self) else { throw TableCodecError("a name is not valid UTF-8") }
        return text
    }
}
