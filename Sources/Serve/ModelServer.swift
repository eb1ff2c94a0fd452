import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Packaging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import UnixSignals

/// `runner serve`: model bundles behind HTTP. Holds what the routes share (the models, the
/// metrics, the prediction log, the keys) and runs the server until SIGTERM or SIGINT, when
/// requests in flight finish and new ones are refused; SIGHUP reloads every bundle.
public final class ModelServer: Sendable {
    public let configuration: ServeConfiguration
    public let repository: ModelRepository
    let metrics = ServeMetrics()
    let drift = DriftWindows()
    let keys: KeyStore?
    let predictionLog: PredictionLog?
    let logger: Logger
    let workers: NIOThreadPool

    /// Checks the configuration (keys file, TLS files, log directory) without loading bundles.
    public init(configuration: ServeConfiguration, logOutput: LogOutput = LogOutput()) throws(ServeStartError) {
        self.configuration = configuration
        var trust: TrustedSigner?
        if let path = configuration.trustedKeyFile {
            do throws(BundleError) {
                trust = TrustedSigner(key: try BundleKeys.publicKey(file: path), path: path)
            } catch {
                throw .configuration(error.description)
            }
        }
        repository = ModelRepository(sources: configuration.models, key: configuration.bundleKey, trust: trust)
        keys = try configuration.apiKeysFile.map { (path) throws(ServeStartError) in try KeyStore(path: path) }
        logger = Logger(label: "runner.serve") { label in JSONLogHandler(label: label, output: logOutput) }
        if let settings = configuration.predictionLog {
            let metrics = self.metrics
            predictionLog = try PredictionLog(settings: settings, onWritten: { metrics.logWritten.increment(by: Int64($0)) },
                                              onDropped: { metrics.logDropped.increment(by: Int64($0)) })
        } else {
            predictionLog = nil
        }
        workers = NIOThreadPool(numberOfThreads: configuration.workers)
        workers.start()
        if configuration.tlsCertificate != nil { _ = try tlsConfiguration() }
    }

    /// Loads every bundle not loaded yet (the server is ready when this returns).
    public func loadModels() throws(ServeStartError) {
        for model in try repository.loadAll() {
            metrics.loaded(model)
            logger.info("model loaded", metadata: ["model": .string(model.name), "version": .string(model.version), "sha256": .string(model.digest),
                                                   "path": .string(model.path), "load_seconds": .stringConvertible(model.loadSeconds)])
        }
    }

    /// Reloads every model from its file and the API keys from theirs (SIGHUP); failures are
    /// logged, and what was in force stays.
    public func reloadAll() {
        if let keys {
            do {
                let count = try keys.reload()
                logger.info("api keys reloaded", metadata: ["keys": .stringConvertible(count)])
            } catch {
                logger.error("api keys reload failed; the keys in force stay", metadata: ["error": .string(error.description)])
            }
        }
        for model in repository.loadedModels {
            do {
                let reload = try repository.reload(model.name)
                metrics.loaded(reload.model)
                logger.info("model reloaded", metadata: ["model": .string(model.name), "version": .string(reload.model.version), "changed": .stringConvertible(reload.changed)])
            } catch {
                metrics.reloadFailed(model: model.name)
                logger.error("model reload failed", metadata: ["model": .string(model.name), "error": .string(error.message)])
            }
        }
    }

    /// The whole HTTP surface, as a responder (what tests drive without a socket).
    public func responder() -> some HTTPResponder<ServeContext> {
        ServerResponder(inner: makeRouter().buildResponder(), routes: routes, keys: keys, openEndpoints: configuration.openEndpoints,
                               maxBodyBytes: configuration.maxBodyBytes, timeout: .milliseconds(Int64(configuration.requestTimeoutSeconds * 1000)),
                               metrics: metrics, logger: logger)
    }

    func makeRouter() -> Router<ServeContext> {
        let router = Router(context: ServeContext.self)
        addOperationRoutes(to: router)
        addInferenceRoutes(to: router)
        addPredictRoutes(to: router)
        return router
    }

    /// Every route as "METHOD /path/{parameter}", as the OpenAPI document spells them.
    var routes: [String] {
        makeRouter().routes.map { route in
            let path = route.path.description.split(separator: "/").map { part in part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part) }
            return "\(route.method.rawValue) /" + path.joined(separator: "/")
        }
    }

    /// Binds, loads the bundles (ready once all are), serves until SIGTERM or SIGINT, then
    /// finishes requests in flight and writes out the prediction log. `onListening` gets the
    /// bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let idle = TimeAmount.milliseconds(Int64(max(configuration.requestTimeoutSeconds, 1) * 1000))
        let http = HTTPServerBuilder.http1(configuration: .init(idleTimeout: idle))
        let server = configuration.tlsCertificate != nil ? try HTTPServerBuilder.tls(http, tlsConfiguration: try tlsConfiguration()) : http
        let logger = self.logger
        let application = Application(
            responder: responder(),
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "runner"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("listening", metadata: ["host": .string(self.configuration.host), "port": .stringConvertible(port),
                                                   "tls": .stringConvertible(self.configuration.tlsCertificate != nil)])
                await onListening(port)
            },
            logger: Logger(label: "runner.serve.http") { _ in SwiftLogNoOpLogHandler() }
        )
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: application),
                .init(service: ModelLoading(server: self), successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: ReloadOnHangup(server: self), successTerminationBehavior: .ignore),
            ] + (configuration.followedLinks.isEmpty ? [] : [
                .init(service: ReloadOnRepoint(server: self, links: configuration.followedLinks, interval: configuration.followInterval), successTerminationBehavior: .ignore),
            ]),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "runner.serve.lifecycle") { _ in SwiftLogNoOpLogHandler() }
        ))
        do {
            try await group.run()
        } catch let error as IOError {
            await finish()
            // Binding is the one socket operation before the first request: say it in our words.
            throw ServeStartError.configuration("cannot listen on \(configuration.host):\(configuration.port): \(Self.describe(error))")
        } catch {
            await finish()
            throw error
        }
        await finish()
        logger.info("stopped")
    }

    private static func describe(_ error: IOError) -> String {
        switch error.errnoCode {
        case EADDRINUSE: return "the address is in use (another server?); choose another --port"
        case EACCES: return "permission denied (ports below 1024 need privileges); choose a port of 1024 or above"
        case EADDRNOTAVAIL: return "this machine has no such address; use 127.0.0.1, 0.0.0.0 or one of its addresses"
        default: return String(cString: strerror(error.errnoCode))
        }
    }

    /// After the last request: the prediction log written out, the worker threads stopped.
    private func finish() async {
        predictionLog?.close()
        try? await workers.shutdownGracefully()
    }

    func tlsConfiguration() throws(ServeStartError) -> TLSConfiguration {
        guard let certificatePath = configuration.tlsCertificate, let keyPath = configuration.tlsKey else {
            throw .configuration("TLS needs both --tls-cert and --tls-key")
        }
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw .configuration("cannot read the TLS certificate \(certificatePath): \(error)")
        }
        guard !chain.isEmpty else { throw .configuration("\(certificatePath) holds no PEM certificate") }
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw .configuration("cannot read the TLS private key \(keyPath): \(error)")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        return tls
    }
}

/// Loads the bundles once the server listens, so liveness answers during a long load and
/// readiness turns true when every bundle is in; a bundle that fails stops the server.
struct ModelLoading: Service {
    let server: ModelServer

    func run() async throws {
        let server = self.server
        try await server.workers.runIfActive { try server.loadModels() }
        try? await gracefulShutdown()
    }
}

/// SIGHUP: reload every bundle from its file, as daemons reread their configuration.
struct ReloadOnHangup: Service {
    let server: ModelServer

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        let server = self.server
        await withGracefulShutdownHandler {
            for await _ in signals.cancelOnGracefulShutdown() {
                try? await server.workers.runIfActive { server.reloadAll() }
            }
        } onGracefulShutdown: {}
    }
}
