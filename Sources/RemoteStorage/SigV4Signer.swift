import Crypto
import Foundation

/// AWS Signature Version 4 (the `AWS4-HMAC-SHA256` scheme every S3-compatible service
/// accepts): canonical request, string to sign, the derived key and the `Authorization`
/// header. Pure: no clock, no network; the caller gives the time and the payload's hash.
/// Checked against AWS's published test-suite vectors (Tests/RemoteStorageTests).
public struct SigV4Signer: Sendable {
    public struct Credentials: Sendable, Equatable {
        public var accessKeyID: String
        public var secretAccessKey: String
        /// Temporary credentials' token, sent and signed as `x-amz-security-token`.
        public var sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
    }

    /// What a request needs to carry: its headers after signing, and the intermediate
    /// strings (a `SignatureDoesNotMatch` is diagnosed by comparing them).
    public struct Signed: Sendable, Equatable {
        public var headers: [(name: String, value: String)]
        public var canonicalRequest: String
        public var stringToSign: String
        public var authorization: String

        public static func == (left: Signed, right: Signed) -> Bool {
            left.canonicalRequest == right.canonicalRequest && left.authorization == right.authorization
                && left.headers.map { "\($0.name):\($0.value)" } == right.headers.map { "\($0.name):\($0.value)" }
        }
    }

    public var credentials: Credentials
    public var region: String
    public var service: String

    public init(credentials: Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The SHA-256 of an empty body, hex.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Signs a request. `path` is the request path as sent, already percent-encoded per
    /// segment (`encodePath` makes one); `query` the decoded name/value pairs; `headers` those
    /// to sign besides the ones added here (`host` must be among them). `payloadHash` is the
    /// body's SHA-256 hex (or `UNSIGNED-PAYLOAD`); `sendPayloadHash` adds it as
    /// `x-amz-content-sha256`, which S3 requires.
    public func sign(method: String, path: String, query: [(name: String, value: String)], headers: [(name: String, value: String)],
                     payloadHash: String, sendPayloadHash: Bool = true, date: Date) -> Signed {
        let (stamp, day) = Self.timestamps(date)
        var all = headers
        all.append(("x-amz-date", stamp))
        if sendPayloadHash { all.append(("x-amz-content-sha256", payloadHash)) }
        if let token = credentials.sessionToken { all.append(("x-amz-security-token", token)) }

        // Canonical headers: lower-case names, values trimmed with inner runs of spaces made
        // one, repeated names joined by commas in the order given, sorted by name.
        var grouped: [String: [String]] = [:]
        for (name, value) in all {
            grouped[name.lowercased(), default: []].append(Self.collapsedSpaces(value))
        }
        let names = grouped.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let canonicalHeaders = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        let canonicalQuery = query.map { (Self.encode($0.name), Self.encode($0.value)) }
            .sorted { left, right in
                left.0 == right.0 ? Array(left.1.utf8).lexicographicallyPrecedes(Array(right.1.utf8)) : Array(left.0.utf8).lexicographicallyPrecedes(Array(right.0.utf8))
            }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let canonicalRequest = [method, path.isEmpty ? "/" : path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))].joined(separator: "\n")

        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        var sent = all.filter { $0.name.lowercased() != "host" }
        sent.append(("Authorization", authorization))
        return Signed(headers: sent, canonicalRequest: canonicalRequest, stringToSign: stringToSign, authorization: authorization)
    }

    /// A path of unencoded segments as S3 wants it: each segment percent-encoded once
    /// (RFC 3986 unreserved characters kept), slashes kept as separators.
    public static func encodePath(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }
        let joined = segments.joined(separator: "/")
        return joined.hasPrefix("/") ? joined : "/" + joined
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters, with upper-case hex.
    public static func encode(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    /// `20150830T123600Z` and `20150830`, in UTC.
    static func timestamps(_ date: Date) -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = String(format: "%04d%02d%02d", parts.year!, parts.month!, parts.day!)
        return (day + String(format: "T%02d%02d%02dZ", parts.hour!, parts.minute!, parts.second!), day)
    }

    static func collapsedSpaces(_ value: String) -> String {
        var result = ""
        var previousSpace = false
        for character in value.trimmingCharacters(in: .whitespaces) {
            if character == " " {
                if !previousSpace { result.append(" ") }
                previousSpace = true
            } else {
                result.append(character)
                previousSpace = false
            }
        }
        return result
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
