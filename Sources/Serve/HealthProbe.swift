import NIOCore
import NIOPosix
import NIOSSL

/// `runner probe URL`: one GET, success when the answer is 2xx. The container image's
/// health check (it has no shell and no curl). Over https the certificate is not checked:
/// the probe talks to its own server on loopback, whose name the certificate rarely holds.
public struct HealthProbe: Sendable {
    public struct Target: Sendable, Equatable {
        public var secure: Bool
        public var host: String
        public var port: Int
        public var path: String
    }

    public enum Failure: Error, Sendable, Equatable {
        case badURL(String)
        case unreachable(String)
        case status(Int)
        case timeout

        public var message: String {
            switch self {
            case .badURL(let url): return "not an http(s)://HOST:PORT/PATH address: \(url)"
            case .unreachable(let reason): return "cannot connect: \(reason)"
            case .status(let code): return "answered \(code)"
            case .timeout: return "no answer in time"
            }
        }
    }

    public static func parse(_ url: String) throws(Failure) -> Target {
        let secure: Bool
        var rest: Substring
        if url.hasPrefix("http://") { secure = false; rest = url.dropFirst(7) } else if url.hasPrefix("https://") { secure = true; rest = url.dropFirst(8) } else {
            throw .badURL(url)
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        rest = authority
        var host = String(rest), port = secure ? 443 : 80
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { guard let value = Int(after.dropFirst()) else { throw .badURL(url) }; port = value }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let value = Int(rest[rest.index(after: colon)...]) else { throw .badURL(url) }
            port = value
        }
        guard !host.isEmpty, (1...65535).contains(port), !path.contains(where: { $0 == "\r" || $0 == "\n" || $0 == " " }) else { throw .badURL(url) }
        return Target(secure: secure, host: host, port: port, path: path)
    }

    /// The answer's status code; throws unless it is 2xx.
    public static func check(_ url: String, timeoutSeconds: Int64 = 3) async throws(Failure) -> Int {
        let target = try parse(url)
        let sslContext: NIOSSLContext?
        if target.secure {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            do { sslContext = try NIOSSLContext(configuration: configuration) } catch { throw .unreachable("TLS: \(error)") }
        } else {
            sslContext = nil
        }
        let request = "GET \(target.path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\nUser-Agent: runner-probe\r\nConnection: close\r\n\r\n"
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(timeoutSeconds))
                .connect(host: target.host, port: target.port).get()
        } catch {
            throw .unreachable("\(target.host):\(target.port): \(error)")
        }
        defer { channel.close(promise: nil) }
        // Everything below runs on the channel's event loop, so the reader completes its
        // promise once, whichever of answer, close, error or deadline comes first.
        let answer: EventLoopFuture<Int> = channel.eventLoop.flatSubmit {
            let reader = StatusLineReader(promise: channel.eventLoop.makePromise(of: Int.self))
            do {
                if let sslContext {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: nil))
                }
                try channel.pipeline.syncOperations.addHandler(reader)
            } catch {
                reader.finish(.failure(Failure.unreachable("\(error)")))
            }
            let deadline = channel.eventLoop.scheduleTask(in: .seconds(timeoutSeconds)) { reader.finish(.failure(Failure.timeout)) }
            channel.writeAndFlush(ByteBuffer(string: request), promise: nil)
            return reader.promise.futureResult.always { _ in deadline.cancel() }
        }
        let code: Int
        do { code = try await answer.get() } catch let failure as Failure { throw failure } catch { throw .unreachable("\(error)") }
        guard (200..<300).contains(code) else { throw .status(code) }
        return code
    }
}

/// Reads bytes until the status line is complete and fulfils the promise with its code.
/// Used only on its channel's event loop.
private final class StatusLineReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<Int>
    private var line: [UInt8] = []
    private var finished = false

    init(promise: EventLoopPromise<Int>) { self.promise = promise }

    func finish(_ result: Result<Int, Error>) {
        guard !finished else { return }
        finished = true
        promise.completeWith(result)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        line += buffer.readBytes(length: buffer.readableBytes) ?? []
        guard let end = line.firstIndex(of: 0x0A) else {
            if line.count > 8192 { finish(.failure(HealthProbe.Failure.unreachable("the answer has no status line"))) }
            return
        }
        let words = String(decoding: line[..<end], as: UTF8.self).split(separator: " ")
        if words.count >= 2, words[0].hasPrefix("HTTP/"), let code = Int(words[1]) {
            finish(.success(code))
        } else {
            finish(.failure(HealthProbe.Failure.unreachable("the answer is not HTTP")))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(HealthProbe.Failure.unreachable("the connection closed before an answer")))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(.failure(HealthProbe.Failure.unreachable("\(error)")))
        context.close(promise: nil)
    }
}
