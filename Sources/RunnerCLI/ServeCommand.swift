import ArgumentParser
import Engine
import Foundation
import Serve
import Spec

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve model bundles over HTTP: the Open Inference Protocol v2 and a simple JSON/CSV predict endpoint.",
        discussion: """
            Each bundle is served under its experiment's name, or NAME=PATH. Routes: GET /v2, \
            /v2/health/live, /v2/health/ready, /v2/models/NAME, /v2/models/NAME/ready; POST \
            /v2/models/NAME/infer; POST /v1/models/NAME/predict (JSON records or split, or text/csv; \
            ?proba=true); GET /v1/models, /metrics, /openapi.yaml; POST \
            /v2/repository/models/NAME/load (admin key) reloads a bundle, as SIGHUP reloads all. \
            SIGTERM or SIGINT: requests in flight finish, then exit 0. Every option can come from \
            the environment instead: \(ServeConfiguration.environmentVariables.map { "\($0.variable) (\($0.flag))" }.joined(separator: ", ")). \
            Exit codes: 0 stopped by a signal; 1 a bundle, key or TLS file could not be used; 64 bad options. \
            Details: docs/serving.md.
            """
    )

    @Argument(help: "Bundles to serve: PATH, NAME=PATH, or registry://NAME@production (also @staging, @VERSION; followed when a stage).") var bundles: [String] = []
    @Option(help: "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).") var host: String?
    @Option(help: "Port (default 8080; 0 picks a free one).") var port: Int?
    @Option(name: .customLong("tls-cert"), help: "TLS certificate chain (PEM); with --tls-key, serves HTTPS only (TLS 1.2+).") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "TLS private key (PEM).") var tlsKey: String?
    @Option(name: .customLong("api-keys"), help: "File of SHA-256 digests of accepted API keys, one per line: HEX [NAME] [admin] (make one with `runner keygen --api-key NAME`).") var apiKeys: String?
    @Option(name: .customLong("key-env"), help: "Environment variable holding the key of encrypted bundles.") var keyEnv: String?
    @Option(name: .customLong("key-file"), help: "File holding the key of encrypted bundles.") var keyFile: String?
    @Option(name: .customLong("public-key"), help: "Serve only bundles signed by this Ed25519 public key (PEM, from `runner keygen --signing`); checked at every load and reload.") var publicKey: String?
    @Option(name: .customLong("log-predictions"), help: "Write every predicted row as JSON Lines into this directory (predictions.jsonl, rotated by size).") var logPredictions: String?
    @Option(name: .customLong("log-max-bytes"), help: "Rotate the prediction log past this size (default 100 MiB).") var logMaxBytes: Int?
    @Option(name: .customLong("log-keep"), help: "Rotated prediction logs to keep (default 10).") var logKeep: Int?
    @Option(name: .customLong("log-sample"), help: "Fraction of rows to log, in (0, 1] (default 1).") var logSample: Double?
    @Option(name: .customLong("max-body-bytes"), help: "Largest request body (default 64 MiB); larger ones get 413.") var maxBodyBytes: Int?
    @Option(name: .customLong("request-timeout"), help: "Seconds a request may take (default 60); also the idle-connection timeout.") var requestTimeout: Double?
    @Option(help: "Threads that run predictions (default: the number of cores).") var workers: Int?
    @Option(help: "Endpoints that need no API key: a comma-separated list of health, metrics, openapi, or none (default health,metrics).") var open: String?

    @Option(name: .customLong("registry-poll"), help: "Seconds between looks at the registry for registry:// models (default 1).") var registryPoll: Double?
    @OptionGroup var store: StoreOptions
    @OptionGroup var registryLocation: RegistryOptions

    /// `registry://NAME@production` (or `@staging`, `@VERSION`; `ALIAS=registry://...`)
    /// becomes the store's stage link (followed: a promotion reloads) or the version's blob.
    private func registryBundles() throws -> ([String], [String], RegistryLinkFollower?) {
        var resolved: [String] = [], followed: [String] = []
        var shared: ModelRegistry?
        var sharedLinks: [(name: String, stage: String)] = []
        for argument in bundles {
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            let (alias, value) = parts.count == 2 && parts[1].hasPrefix("registry://") ? (parts[0], parts[1]) : (nil, argument)
            guard value.hasPrefix("registry://") else {
                resolved.append(argument)
                continue
            }
            let reference = String(value.dropFirst("registry://".count))
            let (registry, contentStore) = try RegistryCommand.open(store, registryLocation)
            let version = try RegistryCommand.attempt { try registry.resolve(reference) }
            let parsed = try RegistryCommand.attempt { try ModelRegistry.parse(reference) }
            let path: String
            if let stage = parsed.stage {
                path = registry.stagePath(name: parsed.name, stage: stage)
                followed.append(path)
                if registryLocation.resolved.location != nil {
                    // A shared registry changes under this store: point the link where it says now, and keep doing so.
                    _ = try RegistryCommand.attempt { try registry.refreshLink(name: parsed.name, stage: stage) }
                    shared = registry
                    sharedLinks.append((parsed.name, stage))
                }
            } else {
                path = contentStore.root + "/objects/\(version.bundle.prefix(2))/\(version.bundle.dropFirst(2))"
            }
            resolved.append("\(alias ?? parsed.name)=\(path)")
        }
        let follower = shared.map { registry in
            RegistryLinkFollower(registry: registry, links: sharedLinks, interval: registryPoll ?? 1) { printError("warning: \($0)") }
        }
        return (resolved, followed, follower)
    }

    func run() async throws {
        var flags = ServeConfiguration.Flags()
        let (resolved, followed, follower) = try registryBundles()
        follower?.start()
        defer { follower?.stop() }
        flags.bundles = resolved
        flags.host = host
        flags.port = port
        flags.tlsCertificate = tlsCert
        flags.tlsKey = tlsKey
        flags.apiKeys = apiKeys
        flags.keyEnvironment = keyEnv
        flags.keyFile = keyFile
        flags.publicKey = publicKey
        flags.logPredictions = logPredictions
        flags.logMaxBytes = logMaxBytes
        flags.logKeep = logKeep
        flags.logSample = logSample
        flags.maxBodyBytes = maxBodyBytes
        flags.requestTimeout = requestTimeout
        flags.workers = workers
        flags.open = open
        let server: ModelServer
        do throws(ServeStartError) {
            var configuration = try ServeConfiguration.resolve(flags, environment: ProcessInfo.processInfo.environment)
            configuration.serverVersion = RunnerVersion.current
            configuration.followedLinks = followed
            if let registryPoll { configuration.followInterval = registryPoll }
            server = try ModelServer(configuration: configuration)
        } catch {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        }
        do {
            try await server.run()
        } catch let error as ServeStartError {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        } catch {
            printError("error: \(error)")
            throw ExitCodes.failure
        }
    }
}
