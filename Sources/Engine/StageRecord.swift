import Crypto
import Foundation
import Packaging
import Learn

/// What the stage cache keeps for one stage key: the digests of its outputs, and how the
/// computation went (for reports; never part of a key or digest).
public struct StageRecord: Codable, Sendable, Equatable {
    public var key: String
    public var kind: String
    public var name: String
    /// Output name → blob digest.
    public var outputs: [String: String]
    public var seconds: Double
    public var log: [String]
    public var runnerVersion: String
    public var created: String

    public init(key: String, kind: String, name: String, outputs: [String: String], seconds: Double, log: [String], runnerVersion: String, created: Date) {
        self.key = key
        self.kind = kind
        self.name = name
        self.outputs = outputs
        self.seconds = seconds
        self.log = log
        self.runnerVersion = runnerVersion
        self.created = ISO8601DateFormatter().string(from: created)
    }

    /// The file form: a checksum line (SHA-256 of everything after it), a summary line
    /// (`key kind seconds name=digest,...`) that cache lookups read without decoding JSON,
    /// then the whole record as JSON. A damaged record is detected, never trusted.
    func fileContents() -> Data {
        let outputsText = Wording.keyValues(outputs, separator: ",")
        var rest = Data("\(key) \(kind) \(seconds.bitPattern) \(outputsText)\n".utf8)
        rest.append(CanonicalJSON.encode(self))
        var contents = Data((Hashing.sha256(rest) + "\n").utf8)
        contents.append(rest)
        return contents
    }

    /// What a cache lookup needs, from the summary line; nil when the record is damaged.
    struct Summary: Sendable {
        var key: String
        var outputs: [String: String]
        var seconds: Double
    }

    static func summary(_ contents: Data) -> Summary? {
        guard let (_, line, _) = verifiedParts(contents) else { return nil }
        // Hot path of every cache lookup: split the bytes by hand.
        let fields = [UInt8](line).split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard fields.count == 4, let bits = UInt64(String(decoding: fields[2], as: UTF8.self)) else { return nil }
        var outputs: [String: String] = [:]
        for pair in fields[3].split(separator: UInt8(ascii: ",")) {
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            outputs[String(decoding: pair[..<equals], as: UTF8.self)] = String(decoding: pair[(equals + 1)...], as: UTF8.self)
        }
        return Summary(key: String(decoding: fields[0], as: UTF8.self), outputs: outputs, seconds: Double(bitPattern: bits))
    }

    /// The whole record in `contents`, or nil when it is damaged.
    static func read(_ contents: Data) -> StageRecord? {
        guard let (_, _, body) = verifiedParts(contents) else { return nil }
        return try? CanonicalJSON.decode(StageRecord.self, from: Data(body))
    }

    /// Checks the checksum; returns everything after it, the summary line and the JSON body.
    private static func verifiedParts(_ contents: Data) -> (Data, Data, Data)? {
        let bytes = [UInt8](contents)
        guard bytes.count > 65, bytes[64] == 0x0A else { return nil }
        let rest = bytes[65...]
        let digest = rest.withUnsafeBytes { SHA256.hash(data: $0) }
        var matches = true
        for (index, byte) in digest.enumerated() {
            let hex = Hashing.hexDigits
            if bytes[2 * index] != hex[Int(byte >> 4)] || bytes[2 * index + 1] != hex[Int(byte & 15)] { matches = false; break }
        }
        guard matches, let second = rest.firstIndex(of: 0x0A) else { return nil }
        return (Data(rest), Data(rest[..<second]), Data(rest[(second + 1)...]))
    }
}
