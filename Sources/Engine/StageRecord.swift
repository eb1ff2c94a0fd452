import Foundation

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
    /// SHA-256 of the record with this field empty: a damaged record is detected, not trusted.
    public var check: String = ""

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

    func sealed() -> StageRecord {
        var copy = self
        copy.check = ""
        copy.check = Hashing.sha256(CanonicalJSON.encode(copy))
        return copy
    }

    var isIntact: Bool { sealed().check == check }
}
