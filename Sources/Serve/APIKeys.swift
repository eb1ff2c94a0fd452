import Crypto
import Foundation
import Packaging

/// API keys as the server stores them: SHA-256 digests only, one per line of the keys file
/// (`HEX [NAME] [admin]`, `#` comments), so the file leaks no key. A presented key is hashed
/// and compared with every stored digest in constant time, so timing tells nothing of how
/// much of a key matched, nor which.
public struct APIKeys: Sendable {
    public struct Entry: Sendable, Equatable {
        public var digest: [UInt8]
        public var name: String
        public var isAdmin: Bool
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The keys file's lines; errors name the file and line.
    public static func parse(_ text: String, file: String) throws(ServeStartError) -> APIKeys {
        var entries: [Entry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let first = words.first else { continue }
            let hex = first.hasPrefix("sha256:") ? String(first.dropFirst(7)) : first
            guard Hashing.isDigest(hex.lowercased()) else {
                throw .configuration("\(file):\(index + 1): error: expected the SHA-256 of a key (64 hex digits), not a key; make a key and its line with `runner keygen --api-key NAME`")
            }
            var name = "key\(entries.count + 1)"
            var isAdmin = false
            for word in words.dropFirst() {
                if word == "admin" { isAdmin = true } else { name = word }
            }
            // isDigest has checked the 64 hex digits.
            entries.append(Entry(digest: Hashing.bytes(hex: hex.lowercased()) ?? [], name: name, isAdmin: isAdmin))
        }
        guard !entries.isEmpty else { throw .configuration("\(file): error: the keys file lists no keys") }
        return APIKeys(entries: entries)
    }

    public static func load(path: String) throws(ServeStartError) -> APIKeys {
        guard let data = FileManager.default.contents(atPath: path) else { throw .configuration("cannot read the API keys file \(path)") }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// The entry whose digest matches `key`. Every entry is compared, whatever matched.
    public func match(_ key: String) -> Entry? {
        let digest = Array(SHA256.hash(data: Data(key.utf8)))
        var found: Entry?
        for entry in entries {
            var difference: UInt8 = 0
            for (a, b) in zip(entry.digest, digest) { difference |= a ^ b }
            if difference == 0, entry.digest.count == digest.count, found == nil { found = entry }
        }
        return found
    }

    /// A new random key (32 bytes, URL-safe base64 without padding) and its keys-file line.
    public static func newKey(name: String, admin: Bool) -> (key: String, line: String) {
        let random = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let key = random.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let digest = Hashing.hex(SHA256.hash(data: Data(key.utf8)))
        return (key, "\(digest) \(name)\(admin ? " admin" : "")")
    }
}
