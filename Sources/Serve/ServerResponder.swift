import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// What every request passes through, around the routes: a request id (the client's
/// `X-Request-Id` when it is a plain token, else a new one, echoed either way), the body limit
/// by Content-Length, API keys, the request timeout, errors as `{"error": ...}` bodies, one
/// JSON access-log line and the request metrics.
struct ServerResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == ServeContext {
    let inner: Inner
    /// Every route as "METHOD /path/{parameter}", to tell 405 from 404.
    let routes: [String]
    let keys: KeyStore?
    let openEndpoints: Set<ServeConfiguration.OpenEndpoint>
    let maxBodyBytes: Int
    let timeout: Duration
    let metrics: ServeMetrics
    let logger: Logger

    func respond(to request: Request, context: ServeContext) async throws -> Response {
        let start = ContinuousClock.now
        metrics.inFlight.increment()
        defer { metrics.inFlight.decrement() }
        var context = context
        context.requestID = Self.requestID(request.headers[.xRequestID])
        var response: Response
        do {
            response = try await guarded(request, context: &context)
        } catch let error as ServeError {
            response = error.response()
        } catch let error as HTTPError {
            response = ServeError(status: error.status, message: error.body ?? error.status.reasonPhrase).response()
        } catch {
            logger.error("request failed", metadata: ["request_id": .string(context.requestID), "error": .string("\(error)")])
            response = ServeError(status: .internalServerError, message: "internal error (request \(context.requestID)); the server log has the details").response()
        }
        if context.endpointPath == "NotFound" {
            let allowed = Self.methods(allowedFor: request.uri.path, routes: routes)
            if allowed.isEmpty {
                response = ServeError.notFound("no route \(request.method.rawValue) \(request.uri.path); the routes are listed in GET /openapi.yaml").response()
            } else {
                var refusal = ServeError(status: .methodNotAllowed, message: "\(request.uri.path) takes \(allowed.joined(separator: " or ")), not \(request.method.rawValue)")
                refusal.headers = [("Allow", allowed.joined(separator: ", "))]
                response = refusal.response()
            }
        }
        response.headers[.xRequestID] = context.requestID
        let duration = ContinuousClock.now - start
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        metrics.request(route: route, method: request.method.rawValue, status: response.status.code, duration: duration)
        var metadata: Logger.Metadata = [
            "request_id": .string(context.requestID),
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "route": .string(route),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .stringConvertible((duration.seconds * 1e6).rounded() / 1000),
        ]
        if let length = request.headers[.contentLength] { metadata["bytes_in"] = .string(length) }
        if let length = response.body.contentLength { metadata["bytes_out"] = .stringConvertible(length) }
        if let key = context.apiKey { metadata["api_key"] = .string(key.name) }
        logger.info("request", metadata: metadata)
        return response
    }

    private func guarded(_ request: Request, context: inout ServeContext) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
            throw ServeError.payloadTooLarge(limit: maxBodyBytes)
        }
        if let keys = keys?.keys, !isOpen(request.uri.path) {
            guard let presented = Self.presentedKey(request.headers) else {
                throw ServeError.unauthorized("this server needs an API key: send it as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'")
            }
            guard let entry = keys.match(presented) else { throw ServeError.unauthorized("the API key is not valid") }
            context.apiKey = entry
        }
        return try await Self.withDeadline(timeout) { [inner, context] in try await inner.respond(to: request, context: context) }
    }

    /// Runs `work`, or gives up with 503 once `timeout` passes (the work is cancelled; a
    /// prediction already running on a worker thread finishes there). The deadline is an event
    /// loop timer that is removed the moment the work ends: a sleeping task per request would
    /// hold its memory until the deadline, tens of MiB a second under load.
    static func withDeadline(_ timeout: Duration, _ work: @escaping @Sendable () async throws -> Response) async throws -> Response {
        let outcome = FirstOutcome()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.continuation = continuation
            let task = Task {
                do { outcome.finish(.success(try await work())) } catch { outcome.finish(.failure(error)) }
            }
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
                outcome.finish(.failure(ServeError.unavailable("the request took longer than the server's limit (--request-timeout \(timeout.seconds) s); send fewer rows per request")))
                task.cancel()
            }
            outcome.timer = timer
        }
    }

    private func isOpen(_ path: String) -> Bool {
        if path.hasPrefix("/v2/health/") { return openEndpoints.contains(.health) }
        if path == "/metrics" { return openEndpoints.contains(.metrics) }
        if path == "/openapi.yaml" { return openEndpoints.contains(.openapi) }
        return false
    }

    /// The methods routes offer for `path` ({parameter} segments match any one segment).
    static func methods(allowedFor path: String, routes: [String]) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var methods: [String] = []
        for route in routes {
            let parts = route.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let pattern = parts[1].split(separator: "/", omittingEmptySubsequences: false)
            guard pattern.count == segments.count else { continue }
            let matches = zip(pattern, segments).allSatisfy { expected, given in
                (expected.hasPrefix("{") && expected.hasSuffix("}") && !given.isEmpty) || expected == given
            }
            if matches, !methods.contains(String(parts[0])) { methods.append(String(parts[0])) }
        }
        return methods.sorted()
    }

    static func presentedKey(_ headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
        }
        return headers[.xAPIKey]
    }

    /// The client's id when it is 1-128 characters of letters, digits and `-_.:`; otherwise a
    /// new random one (a log must not carry what a client injected).
    static func requestID(_ given: String?) -> String {
        if let given, !given.isEmpty, given.utf8.count <= 128,
           given.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E || $0 == 0x3A }) {
            return given
        }
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        func hex(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return hex(high) + hex(low)
    }
}

/// The first of the work's result and the deadline, delivered once; the other is dropped.
private final class FirstOutcome: @unchecked Sendable {
    private let lock = NIOLock()
    private var delivered = false
    private var pending: Result<Response, any Error>?
    private var storedContinuation: CheckedContinuation<Response, any Error>?
    private var storedTimer: Scheduled<Void>?

    var continuation: CheckedContinuation<Response, any Error>? {
        get { lock.withLock { storedContinuation } }
        set {
            // The work may finish before the continuation is stored: deliver what waits.
            let ready: Result<Response, any Error>? = lock.withLock {
                storedContinuation = newValue
                defer { pending = nil }
                return pending
            }
            if let ready { newValue?.resume(with: ready) }
        }
    }

    var timer: Scheduled<Void>? {
        get { lock.withLock { storedTimer } }
        set {
            let cancel = lock.withLock { () -> Bool in
                storedTimer = newValue
                return delivered
            }
            if cancel { newValue?.cancel() }
        }
    }

    func finish(_ result: Result<Response, any Error>) {
        let (continuation, timer): (CheckedContinuation<Response, any Error>?, Scheduled<Void>?) = lock.withLock {
            guard !delivered else { return (nil, nil) }
            delivered = true
            if storedContinuation == nil { pending = result }
            return (storedContinuation, storedTimer)
        }
        timer?.cancel()
        continuation?.resume(with: result)
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    static let xAPIKey = HTTPField.Name("X-API-Key")!
    static let inferenceHeaderContentLength = HTTPField.Name("Inference-Header-Content-Length")!
}
