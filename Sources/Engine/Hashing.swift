import Crypto
import Foundation

/// SHA-256 digests as lowercase hex: the names of blobs and stage keys.
public enum Hashing {
    public static func sha256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    public static func sha256(_ text: String) -> String {
        sha256(Data(text.utf8))
    }

    /// Hashes a file in large reads without holding it in memory.
    public static func sha256(file path: String) throws(StoreError) -> (digest: String, size: Int) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw StoreError.system("cannot read \(path)", errno) }
        defer { close(descriptor) }
        var hasher = SHA256()
        let chunk = 4 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        var total = 0
        while true {
            let count = read(descriptor, buffer.baseAddress, chunk)
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError.system("cannot read \(path)", errno)
            }
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            total += count
        }
        return (hex(hasher.finalize()), total)
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = hexDigits
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}

/// Canonical JSON: sorted keys, no escaped slashes, non-finite numbers as strings; the same
/// value always gives the same bytes, so hashes of parameters and artifacts are stable.
enum CanonicalJSON {
    static func encode<T: Encodable>(_ value: T, pretty: Bool = false) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // Encoding plain data types cannot fail; a failure is a programming error.
        return try! encoder.encode(value)
    }

    /// `{"key":value,...}` from values already encoded, keys sorted: the same bytes as
    /// encoding the whole object, without re-encoding parts shared by many stages.
    /// Keys are plain identifiers (letters, digits, underscores), so they need no escaping.
    static func object(_ fields: [(String, Data)]) -> Data {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(fields.reduce(2) { $0 + $1.0.utf8.count + $1.1.count + 4 })
        for (index, field) in fields.sorted(by: { $0.0 < $1.0 }).enumerated() {
            precondition(field.0.utf8.allSatisfy { $0 == 95 || ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) })
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out += field.0.utf8
            out += [UInt8(ascii: "\""), UInt8(ascii: ":")]
            out += field.1
        }
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: data)
    }
}
