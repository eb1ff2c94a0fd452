import Foundation
import Synchronization

#if _endian(big)
#error("PackedArray stores the host byte order and assumes little-endian")
#endif

/// Large numeric arrays in fitted state (tree nodes, leaf values, matrices) are encoded as
/// their little-endian bytes instead of JSON numbers: exact bits, and a forest of millions of
/// nodes encodes and decodes in milliseconds rather than seconds. In JSON (the store, small
/// models) the bytes are base64 text; a bundle moves large ones into binary entries of its own
/// (`BinaryArrayWriter`, `BinaryArrays`), read without base64 or JSON.
enum PackedArray {
    static func encode<T: PackedScalar>(_ values: [T]) -> String {
        values.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    static func decode<T: PackedScalar>(_ text: String, as type: T.Type, codingPath: [CodingKey]) throws -> [T] {
        guard let data = Data(base64Encoded: text), data.count % MemoryLayout<T>.stride == 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "not a packed array of \(T.self)"))
        }
        return data.withUnsafeBytes { T.array(copying: $0) }
    }
}

/// The element types a packed array may hold, each with the tag that names it in a bundle's
/// binary entry (`arrays/12.f64`), so an entry can be turned into its typed array before the
/// JSON that refers to it is read.
public enum PackedElement: String, Sendable, CaseIterable {
    case float64 = "f64", int32 = "i32", uint8 = "u8", treeNode = "node"

    /// Bytes per element in the entry.
    public var width: Int {
        switch self {
        case .float64: return 8
        case .int32: return 4
        case .uint8: return 1
        case .treeNode: return 16
        }
    }

    /// The typed array of `bytes` (a whole number of elements, checked by the caller).
    public func array(copying bytes: UnsafeRawBufferPointer) -> any Sendable {
        switch self {
        case .float64: return Double.array(copying: bytes)
        case .int32: return Int32.array(copying: bytes)
        case .uint8: return UInt8.array(copying: bytes)
        case .treeNode: return TreeNode.array(copying: bytes)
        }
    }
}

public protocol PackedScalar: BitwiseCopyable, Sendable {
    static var packedElement: PackedElement { get }
}

extension PackedScalar {
    /// One copy of the bytes into a new array; the count must be whole (callers check).
    static func array(copying bytes: UnsafeRawBufferPointer) -> [Self] {
        let count = bytes.count / MemoryLayout<Self>.stride
        return [Self](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<count * MemoryLayout<Self>.stride])) }
            initialized = count
        }
    }
}

extension Double: PackedScalar { public static var packedElement: PackedElement { .float64 } }
extension Int32: PackedScalar { public static var packedElement: PackedElement { .int32 } }
extension UInt8: PackedScalar { public static var packedElement: PackedElement { .uint8 } }
extension TreeNode: PackedScalar {
    /// A node is 16 little-endian bytes: threshold (f64), feature (i32), left (i32); the
    /// in-memory layout, so an entry is copied, not converted (`BinaryArrays` checks it).
    public static var packedElement: PackedElement { .treeNode }
}

/// Where a bundle's binary entries go while its model is encoded: arrays of at least
/// `minimumBytes` become entries `arrays/N.TAG`, numbered in encoding order (so the same model
/// gives the same entries), and the JSON holds `{"entry": NAME, "count": N}` instead.
public final class BinaryArrayWriter: Sendable {
    public static let userInfoKey = CodingUserInfoKey(rawValue: "runner.binaryArrays.writer")!
    /// Smaller arrays stay inline: a zip entry costs ~100 bytes of headers, and small bundles
    /// stay the bytes earlier runners wrote.
    public static let defaultMinimumBytes = 16 * 1024

    public let minimumBytes: Int
    private let written = Mutex<[(name: String, bytes: Data)]>([])

    public init(minimumBytes: Int = BinaryArrayWriter.defaultMinimumBytes) {
        self.minimumBytes = minimumBytes
    }

    /// The entries written so far, in order.
    public var entries: [(name: String, bytes: Data)] { written.withLock { $0 } }

    func add<T: PackedScalar>(_ values: [T]) -> String {
        let bytes = values.withUnsafeBytes { Data($0) }
        return written.withLock { entries in
            let name = "arrays/\(entries.count).\(T.packedElement.rawValue)"
            entries.append((name, bytes))
            return name
        }
    }
}

/// A bundle's binary entries, already turned into typed arrays, for `decodePacked` to take
/// by name. Made by the bundle reader, which checks each entry's digest first.
public struct BinaryArrays: Sendable {
    public static let userInfoKey = CodingUserInfoKey(rawValue: "runner.binaryArrays")!

    private var arrays: [String: any Sendable] = [:]

    public init() {}

    /// The element type an entry name declares (`arrays/3.f64`), nil for any other name.
    public static func element(ofEntry name: String) -> PackedElement? {
        guard name.hasPrefix("arrays/"), let dot = name.lastIndex(of: ".") else { return nil }
        let number = name.utf8[name.utf8.index(name.utf8.startIndex, offsetBy: 7)..<dot]
        guard !number.isEmpty, number.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return PackedElement(rawValue: String(name[name.index(after: dot)...]))
    }

    /// The typed array of an entry's bytes; nil when they are not a whole number of elements.
    public static func array(_ bytes: UnsafeRawBufferPointer, element: PackedElement) -> (any Sendable)? {
        guard bytes.count % element.width == 0 else { return nil }
        // The node entry is copied as is: only valid while TreeNode is laid out as documented.
        if element == .treeNode {
            guard MemoryLayout<TreeNode>.stride == 16, MemoryLayout<TreeNode>.offset(of: \.feature) == 8,
                  MemoryLayout<TreeNode>.offset(of: \.left) == 12 else { return nil }
        }
        return element.array(copying: bytes)
    }

    public mutating func insert(_ array: any Sendable, named name: String) {
        arrays[name] = array
    }

    func array<T: PackedScalar>(named name: String, count: Int, codingPath: [CodingKey]) throws -> [T] {
        guard let stored = arrays[name] else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "refers to \(name), which the bundle does not hold"))
        }
        guard let typed = stored as? [T], typed.count == count else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(name) is not \(count) values of \(T.packedElement.rawValue)"))
        }
        return typed
    }
}

/// `{"entry": "arrays/3.f64", "count": 18634}`: a packed array kept in a binary entry.
private struct BinaryArrayReference: Codable {
    var entry: String
    var count: Int
}

extension KeyedEncodingContainer {
    mutating func encodePacked<T: PackedScalar>(_ values: [T], forKey key: Key, userInfo: [CodingUserInfoKey: Any]) throws {
        if let writer = userInfo[BinaryArrayWriter.userInfoKey] as? BinaryArrayWriter,
           values.count * MemoryLayout<T>.stride >= writer.minimumBytes {
            try encode(BinaryArrayReference(entry: writer.add(values), count: values.count), forKey: key)
        } else {
            try encode(PackedArray.encode(values), forKey: key)
        }
    }
}

extension KeyedDecodingContainer {
    func decodePacked<T: PackedScalar>(_ type: T.Type, forKey key: Key, userInfo: [CodingUserInfoKey: Any]) throws -> [T] {
        if let text = try? decode(String.self, forKey: key) {
            return try PackedArray.decode(text, as: type, codingPath: codingPath + [key])
        }
        let reference = try decode(BinaryArrayReference.self, forKey: key)
        guard let arrays = userInfo[BinaryArrays.userInfoKey] as? BinaryArrays else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key], debugDescription: "refers to \(reference.entry), a binary entry only a bundle holds"))
        }
        return try arrays.array(named: reference.entry, count: reference.count, codingPath: codingPath + [key])
    }
}
