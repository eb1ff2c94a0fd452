import Crypto
import Foundation

/// SHA-256 digests as lowercase hex: the names of blobs and stage keys, and the digests a
/// bundle lists for its entries. The one place runner turns a digest into text.
public enum Hashing {
    public static func sha256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    public static func sha256(_ text: String) -> String {
        sha256(Data(text.utf8))
    }

    public static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = hexDigits
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}
