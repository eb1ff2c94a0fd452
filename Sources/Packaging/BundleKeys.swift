import Crypto
import Foundation

/// Keys as users handle them: the AES-256 key as 64 hex digits or base64 text (what
/// `runner keygen` prints), Ed25519 keys as PEM (PKCS#8 private, SubjectPublicKeyInfo public).
public enum BundleKeys {
    /// A new random AES-256 key, base64.
    public static func newEncryptionKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    public static func encryptionKey(_ text: String) throws(BundleError) -> SymmetricKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8]?
        if trimmed.utf8.count == 64, let hex = Hashing.bytes(hex: trimmed) {
            bytes = hex
        } else if let data = Data(base64Encoded: trimmed) {
            bytes = [UInt8](data)
        }
        guard let bytes, bytes.count == 32 else {
            throw BundleError.key("the encryption key must be 32 bytes, as 64 hex digits or base64 (make one with `runner keygen`)")
        }
        return SymmetricKey(data: bytes)
    }

    /// The key from an environment variable or a file, as the spec's `encrypt:` names it.
    public static func encryptionKey(environment name: String?, file path: String?) throws(BundleError) -> SymmetricKey {
        if let name {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw BundleError.key("the encryption key variable \(name) is not set (make a key with `runner keygen`)")
            }
            return try encryptionKey(value)
        }
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else { throw BundleError.key("cannot read the key file \(path)") }
            return try encryptionKey(String(decoding: data, as: UTF8.self))
        }
        throw BundleError.key("no encryption key given")
    }

    // DER prefixes of the two Ed25519 key encodings (RFC 8410); the key bytes follow.
    private static let privatePrefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
    private static let publicPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    public static func newSigningKey() -> Curve25519.Signing.PrivateKey { Curve25519.Signing.PrivateKey() }

    public static func pem(_ key: Curve25519.Signing.PrivateKey) -> String {
        armor(privatePrefix + key.rawRepresentation, label: "PRIVATE KEY")
    }

    public static func pem(_ key: Curve25519.Signing.PublicKey) -> String {
        armor(publicPrefix + key.rawRepresentation, label: "PUBLIC KEY")
    }

    public static func signingKey(pem text: String, source: String) throws(BundleError) -> Curve25519.Signing.PrivateKey {
        guard let der = unarmor(text, label: "PRIVATE KEY"), der.count == 48, Array(der.prefix(16)) == privatePrefix,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32)) else {
            throw BundleError.key("\(source) is not an Ed25519 private key in PEM (make one with `runner keygen --signing`)")
        }
        return key
    }

    /// The trusted public key in the PEM file at `path`.
    public static func publicKey(file path: String) throws(BundleError) -> Curve25519.Signing.PublicKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw BundleError.io("cannot read \(path)") }
        return try publicKey(pem: text, source: path)
    }

    public static func publicKey(pem text: String, source: String) throws(BundleError) -> Curve25519.Signing.PublicKey {
        guard let der = unarmor(text, label: "PUBLIC KEY"), der.count == 44, Array(der.prefix(12)) == publicPrefix,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32)) else {
            throw BundleError.key("\(source) is not an Ed25519 public key in PEM")
        }
        return key
    }

    private static func armor(_ der: [UInt8], label: String) -> String {
        "-----BEGIN \(label)-----\n\(Data(der).base64EncodedString())\n-----END \(label)-----\n"
    }

    private static func unarmor(_ text: String, label: String) -> [UInt8]? {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: "-----BEGIN \(label)-----"), let end = lines.firstIndex(of: "-----END \(label)-----"), begin < end else { return nil }
        return Data(base64Encoded: lines[(begin + 1)..<end].joined()).map { [UInt8]($0) }
    }
}
