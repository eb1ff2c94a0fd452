import Crypto
import Foundation
import Packaging
import Tabular

extension Hashing {
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
}

/// Canonical JSON: sorted keys, no escaped slashes, non-finite numbers as strings; the same
/// value always gives the same bytes, so hashes of parameters and artifacts are stable.
enum CanonicalJSON {
    static func encode<T: Encodable>(_ value: T, pretty: Bool = false) -> Data {
        JSONFormat.encode(value, pretty: pretty)
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
        try JSONFormat.decoder().decode(type, from: data)
    }
}
