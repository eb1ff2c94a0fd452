import Foundation

#if _endian(big)
#error("PackedArray stores the host byte order and assumes little-endian")
#endif

/// Large numeric arrays in fitted state (tree nodes, leaf values, matrices) are encoded as
/// base64 of their little-endian bytes instead of JSON numbers: exact bits, and a forest of
/// millions of nodes encodes and decodes in milliseconds rather than seconds.
enum PackedArray {
    static func encode<T: BitwiseCopyable>(_ values: [T]) -> String {
        values.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    static func decode<T: BitwiseCopyable>(_ text: String, as type: T.Type, codingPath: [CodingKey]) throws -> [T] {
        guard let data = Data(base64Encoded: text), data.count % MemoryLayout<T>.stride == 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "not a packed array of \(T.self)"))
        }
        let count = data.count / MemoryLayout<T>.stride
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
    }
}

extension KeyedEncodingContainer {
    mutating func encodePacked<T: BitwiseCopyable>(_ values: [T], forKey key: Key) throws {
        try encode(PackedArray.encode(values), forKey: key)
    }
}

extension KeyedDecodingContainer {
    func decodePacked<T: BitwiseCopyable>(_ type: T.Type, forKey key: Key) throws -> [T] {
        try PackedArray.decode(decode(String.self, forKey: key), as: type, codingPath: codingPath + [key])
    }
}
