import Crypto
import Foundation
import RemoteStorage
import XCTest

/// The signer against AWS's published Signature Version 4 test-suite vectors (credentials
/// AKIDEXAMPLE, 2015-08-30 12:36:00 UTC, us-east-1, service "service") and the S3
/// documentation's signed GET example; each asserts the published Authorization header.
final class SigV4SignerTests: XCTestCase {
    private let suite = SigV4Signer(credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                    region: "us-east-1", service: "service")
    private let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)

    private struct Vector {
        var name: String
        var method = "GET"
        var path = "/"
        var query: [(String, String)] = []
        var headers: [(String, String)] = []
        var body = ""
        var signedHeaders = "host;x-amz-date"
        var signature: String
    }

    private let vectors = [
        Vector(name: "get-vanilla", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "get-unreserved", path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
               signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        Vector(name: "get-vanilla-query-order-key-case", query: [("Param2", "value2"), ("Param1", "value1")],
               signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(name: "get-vanilla-query-order-value", query: [("Param1", "value2"), ("Param1", "value1")],
               signature: "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
        Vector(name: "get-vanilla-utf8-query", query: [("\u{1234}", "bar")], signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        Vector(name: "get-header-value-order", headers: [("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2")],
               signedHeaders: "host;my-header1;x-amz-date", signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        Vector(name: "get-header-key-duplicate", headers: [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
               signedHeaders: "host;my-header1;x-amz-date", signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        Vector(name: "get-header-value-trim", headers: [("My-Header1", " value1"), ("My-Header2", "\"a   b   c\"")],
               signedHeaders: "host;my-header1;my-header2;x-amz-date", signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        Vector(name: "post-x-www-form-urlencoded", method: "POST", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "Param1=value1",
               signedHeaders: "content-type;host;x-amz-date", signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
    ]

    func testThePublishedSuiteVectorsSign() {
        for vector in vectors {
            let payload = SHA256.hash(data: Data(vector.body.utf8)).map { String(format: "%02x", $0) }.joined()
            let signed = suite.sign(method: vector.method, path: SigV4Signer.encodePath(vector.path), query: vector.query.map { ($0.0, $0.1) },
                                    headers: [("Host", "example.amazonaws.com")] + vector.headers.map { ($0.0, $0.1) },
                                    payloadHash: payload, sendPayloadHash: false, date: suiteDate)
            XCTAssertEqual(signed.authorization,
                           "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)",
                           "\(vector.name)\n\(signed.canonicalRequest)")
        }
    }

    func testTheCanonicalRequestOfTheSuite() {
        let signed = suite.sign(method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")], headers: [("Host", "example.amazonaws.com")],
                                payloadHash: SigV4Signer.emptyPayloadHash, sendPayloadHash: false, date: suiteDate)
        XCTAssertEqual(signed.canonicalRequest, "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(SigV4Signer.emptyPayloadHash)")
        XCTAssertEqual(signed.stringToSign.split(separator: "\n").prefix(3).joined(separator: "|"), "AWS4-HMAC-SHA256|20150830T123600Z|20150830/us-east-1/service/aws4_request")
        XCTAssertEqual(SigV4Signer.encodePath("/example space/\u{1234}"), "/example%20space/%E1%88%B4", "the suite's get-space and get-utf8 canonical paths")
    }

    func testTheSessionTokenIsSignedAndSent() {
        var signer = suite
        signer.credentials.sessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
        let signed = signer.sign(method: "GET", path: "/", query: [], headers: [("Host", "example.amazonaws.com")],
                                 payloadHash: SigV4Signer.emptyPayloadHash, sendPayloadHash: false, date: suiteDate)
        XCTAssertEqual(signed.authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8")
        XCTAssertTrue(signed.headers.contains { $0.name == "x-amz-security-token" && $0.value == signer.credentials.sessionToken })
    }

    func testTheS3DocumentationExample() {
        // Amazon S3 API reference, "Example: GET Object": the first 10 bytes of test.txt.
        let signer = SigV4Signer(credentials: .init(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), region: "us-east-1")
        let signed = signer.sign(method: "GET", path: SigV4Signer.encodePath("/test.txt"), query: [],
                                 headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")],
                                 payloadHash: SigV4Signer.emptyPayloadHash, date: Date(timeIntervalSince1970: 1_369_353_600))
        XCTAssertEqual(signed.stringToSign, "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
        XCTAssertEqual(signed.authorization, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        XCTAssertEqual(signed.headers.map(\.name), ["Range", "x-amz-date", "x-amz-content-sha256", "Authorization"], "host is the connection's; the rest are sent")
    }
}
