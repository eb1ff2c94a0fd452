import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// A remote store in an S3-compatible bucket (AWS, MinIO, Ceph, GCS's S3 interoperability):
/// requests signed with Signature Version 4 (`SigV4Signer`) over async-http-client. Objects
/// above 16 MB go up in 8 MB parts (multipart upload, aborted on failure, so no partial object
/// is ever visible); 5xx answers, throttling and dropped connections are retried with
/// exponential backoff; every failure names the bucket URL and the cause.
public struct S3ObjectStore: ObjectStore {
    public let bucket: String
    /// Inside the bucket: empty, or ending in "/".
    public let prefix: String
    public let location: String
    let configuration: AWSConfiguration
    var multipartThreshold = 16 << 20
    var partSize = 8 << 20
    static let attempts = 4

    /// One client for the process (connections are pooled across requests). A connection that
    /// cannot be made fails the attempt at once instead of being retried until the deadline:
    /// the retries here, with backoff, are the only ones.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(120))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public init(bucket: String, prefix: String, location: String, environment: [String: String]) throws(RemoteError) {
        self.bucket = bucket
        self.prefix = prefix
        self.location = location
        configuration = AWSConfiguration.resolve(environment)
        if let endpoint = configuration.endpoint, endpoint.host == nil || !["http", "https"].contains(endpoint.scheme ?? "") {
            throw RemoteError(.invalid, location, "AWS_ENDPOINT_URL '\(endpoint.absoluteString)' is not an http(s) URL")
        }
    }

    static func isBucketName(_ name: String) -> Bool {
        guard (3...63).contains(name.count), let first = name.first, first.isASCII, first.isLetter || first.isNumber else { return false }
        return name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
    }

    // MARK: operations

    public func check() throws(RemoteError) {
        _ = try send("GET", key: nil, query: [("list-type", "2"), ("max-keys", "1"), ("prefix", prefix)])
    }

    public func get(_ key: String) throws(RemoteError) -> Data? {
        let response = try send("GET", key: prefix + key, allowNotFound: true)
        return response.status == 404 ? nil : response.body
    }

    public func exists(_ key: String) throws(RemoteError) -> Bool {
        try send("HEAD", key: prefix + key, allowNotFound: true).status != 404
    }

    public func put(_ key: String, _ data: Data) throws(RemoteError) {
        if data.count > multipartThreshold {
            try putInParts(prefix + key, data)
        } else {
            _ = try send("PUT", key: prefix + key, body: data)
        }
    }

    public func list(prefix sub: String) throws(RemoteError) -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix + sub)]
            if let token { query.append(("continuation-token", token)) }
            let xml = String(decoding: try send("GET", key: nil, query: query).body, as: UTF8.self)
            keys += Self.values(of: "Key", in: xml).map { String($0.dropFirst(prefix.count)) }
            token = Self.values(of: "IsTruncated", in: xml).first == "true" ? Self.values(of: "NextContinuationToken", in: xml).first : nil
        } while token != nil
        return keys
    }

    /// CreateMultipartUpload, the parts in order, CompleteMultipartUpload; AbortMultipartUpload
    /// when anything fails, so the bucket never holds part of an object.
    private func putInParts(_ key: String, _ data: Data) throws(RemoteError) {
        let created = String(decoding: try send("POST", key: key, query: [("uploads", "")]).body, as: UTF8.self)
        guard let upload = Self.values(of: "UploadId", in: created).first else {
            throw RemoteError(.failed, location, "the service started no multipart upload for \(key)")
        }
        do throws(RemoteError) {
            var parts: [String] = []
            var offset = 0
            while offset < data.count {
                let end = min(data.count, offset + partSize)
                let response = try send("PUT", key: key, query: [("partNumber", String(parts.count + 1)), ("uploadId", upload)], body: data.subdata(in: offset..<end))
                guard let tag = response.headers.first(name: "ETag") else { throw RemoteError(.failed, location, "part \(parts.count + 1) of \(key) came back without an ETag") }
                parts.append(tag)
                offset = end
            }
            let body = "<CompleteMultipartUpload>" + parts.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(Self.escaped($0.element))</ETag></Part>" }.joined()
                + "</CompleteMultipartUpload>"
            let completed = try send("POST", key: key, query: [("uploadId", upload)], body: Data(body.utf8))
            // S3 may answer 200 with an error document when completing fails late.
            if let code = Self.values(of: "Code", in: String(decoding: completed.body, as: UTF8.self)).first {
                throw RemoteError(.failed, location, "completing the upload of \(key) failed: \(code)")
            }
        } catch {
            _ = try? send("DELETE", key: key, query: [("uploadId", upload)], allowNotFound: true)
            throw error
        }
    }

    // MARK: requests

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
    }

    /// One signed request, retried on dropped connections, 5xx and throttling.
    func send(_ method: String, key: String?, query: [(String, String)] = [], body: Data = Data(), allowNotFound: Bool = false) throws(RemoteError) -> Response {
        guard let credentials = configuration.credentials else {
            throw RemoteError(.credentials, location, "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials (AWS_PROFILE)")
        }
        let signer = SigV4Signer(credentials: credentials, region: configuration.region)
        let (base, host, pathStyle) = endpoint()
        let objectPath = key.map { "/" + $0 } ?? "/"
        let path = SigV4Signer.encodePath(pathStyle ? "/\(bucket)\(key.map { "/" + $0 } ?? "")" : objectPath)
        let queryText = query.map { "\(SigV4Signer.encode($0.0))=\(SigV4Signer.encode($0.1))" }.joined(separator: "&")
        guard let url = URL(string: base + path + (queryText.isEmpty ? "" : "?" + queryText)) else {
            throw RemoteError(.invalid, location, "cannot form a request URL for \(key ?? bucket)")
        }
        let payloadHash = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        var lastError = RemoteError(.failed, location, "no attempt made")
        for attempt in 0..<Self.attempts {
            if attempt > 0 { Thread.sleep(forTimeInterval: 0.2 * pow(2, Double(attempt - 1))) }
            let signed = signer.sign(method: method, path: path, query: query, headers: [("Host", host)], payloadHash: payloadHash, date: Date())
            var headers = HTTPHeaders(signed.headers.map { ($0.name, $0.value) })
            headers.add(name: "Content-Length", value: String(body.count))
            let response: HTTPClient.Response
            do {
                let request = try HTTPClient.Request(url: url, method: HTTPMethod(rawValue: method), headers: headers, body: body.isEmpty ? nil : .bytes(body))
                let seconds = 30 + Int64(body.count >> 20)
                response = try Self.client.execute(request: request, deadline: .now() + .seconds(seconds)).wait()
            } catch {
                lastError = RemoteError(.unreachable, location, "cannot reach \(base): \(Self.describe(error))")
                continue
            }
            let status = Int(response.status.code)
            let data = response.body.map { Data($0.readableBytesView) } ?? Data()
            if (200..<300).contains(status) { return Response(status: status, headers: response.headers, body: data) }
            let xml = String(decoding: data, as: UTF8.self)
            let code = Self.values(of: "Code", in: xml).first ?? ""
            if status == 404, allowNotFound, code != "NoSuchBucket" { return Response(status: 404, headers: response.headers, body: data) }
            if status >= 500 || status == 429 || code == "SlowDown" || code == "RequestTimeout" {
                lastError = RemoteError(.failed, location, "the service answered \(status) \(code) \(Self.values(of: "Message", in: xml).first ?? "")".trimmingCharacters(in: .whitespaces))
                continue
            }
            throw Self.refusal(status: status, code: code, message: Self.values(of: "Message", in: xml).first, location: location, bucket: bucket)
        }
        throw lastError
    }

    /// Base URL ("scheme://host[:port]"), the Host header, and whether buckets are addressed by path.
    private func endpoint() -> (String, String, Bool) {
        if let endpoint = configuration.endpoint, let host = endpoint.host {
            let port = endpoint.port.map { ":\($0)" } ?? ""
            return ("\(endpoint.scheme ?? "https")://\(host)\(port)", host + port, true)
        }
        // Dotted bucket names do not match the wildcard certificate of virtual hosts.
        if bucket.contains(".") {
            let host = "s3.\(configuration.region).amazonaws.com"
            return ("https://\(host)", host, true)
        }
        let host = "\(bucket).s3.\(configuration.region).amazonaws.com"
        return ("https://\(host)", host, false)
    }

    static func refusal(status: Int, code: String, message: String?, location: String, bucket: String) -> RemoteError {
        let detail = [code, message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        switch code {
        case "NoSuchBucket":
            return RemoteError(.noBucket, location, "the bucket '\(bucket)' does not exist (\(detail))")
        case "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "InvalidClientTokenId":
            return RemoteError(.credentials, location, "the credentials were refused (\(detail)); check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN or the profile")
        case "AccessDenied", "AllAccessDisabled":
            return RemoteError(.denied, location, "access denied (\(detail)): the credentials lack permission on '\(bucket)'")
        default:
            return RemoteError(.failed, location, "the service answered \(status)\(detail.isEmpty ? "" : " (\(detail))")")
        }
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectTimeout") || text.contains("deadlineExceeded") { return "no answer in time" }
        if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("connect(descriptor") { return "connection refused" }
        return text
    }

    /// The texts of every `<name>...</name>` element, XML entities decoded.
    static func values(of name: String, in xml: String) -> [String] {
        var found: [String] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(name)>") {
            guard let close = rest[open.upperBound...].range(of: "</\(name)>") else { break }
            found.append(unescaped(String(rest[open.upperBound..<close.lowerBound])))
            rest = rest[close.upperBound...]
        }
        return found
    }

    static func unescaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
