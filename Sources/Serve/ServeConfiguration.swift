import Foundation

/// Everything `runner serve` is told: flags first, then `RUNNER_SERVE_*` environment variables
/// (so a container needs no arguments), then defaults. Secrets are never values here: the
/// bundle key is named by a variable or a file, API keys live hashed in a file.
public struct ServeConfiguration: Sendable, Equatable {
    public var models: [ModelRepository.Source]
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var apiKeysFile: String?
    public var bundleKey: BundleKeySource?
    /// A trusted Ed25519 public key (PEM file): only bundles it signed are served.
    public var trustedKeyFile: String?
    public var predictionLog: PredictionLog.Settings?
    public var maxBodyBytes: Int = 64 << 20
    public var requestTimeoutSeconds: Double = 60
    /// Threads that run predictions (the request path itself is asynchronous).
    public var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Endpoints that answer without an API key when keys are required.
    public var openEndpoints: Set<OpenEndpoint> = [.health, .metrics]
    /// The version `/v2` reports.
    public var serverVersion: String = ""
    /// Symbolic links (the registry's stage links) whose retargeting reloads the models.
    public var followedLinks: [String] = []
    /// Seconds between looks at `followedLinks`.
    public var followInterval: Double = 1

    public enum OpenEndpoint: String, Sendable, CaseIterable {
        case health, metrics, openapi
    }

    public init(models: [ModelRepository.Source]) {
        self.models = models
    }

    /// The options as given on the command line: nil when not given.
    public struct Flags: Sendable {
        public var bundles: [String] = []
        public var host: String?
        public var port: Int?
        public var tlsCertificate: String?
        public var tlsKey: String?
        public var apiKeys: String?
        public var keyEnvironment: String?
        public var keyFile: String?
        public var publicKey: String?
        public var logPredictions: String?
        public var logMaxBytes: Int?
        public var logKeep: Int?
        public var logSample: Double?
        public var maxBodyBytes: Int?
        public var requestTimeout: Double?
        public var workers: Int?
        public var open: String?

        public init() {}
    }

    /// The environment variables read, with the flag each stands for (documented in `serve --help`).
    public static let environmentVariables: [(variable: String, flag: String)] = [
        ("RUNNER_SERVE_BUNDLES", "BUNDLE... (space-separated [NAME=]PATH)"), ("RUNNER_SERVE_HOST", "--host"), ("RUNNER_SERVE_PORT", "--port"),
        ("RUNNER_SERVE_TLS_CERT", "--tls-cert"), ("RUNNER_SERVE_TLS_KEY", "--tls-key"), ("RUNNER_SERVE_API_KEYS", "--api-keys"),
        ("RUNNER_SERVE_KEY_ENV", "--key-env"), ("RUNNER_SERVE_KEY_FILE", "--key-file"), ("RUNNER_SERVE_PUBLIC_KEY", "--public-key"), ("RUNNER_SERVE_LOG_PREDICTIONS", "--log-predictions"),
        ("RUNNER_SERVE_LOG_MAX_BYTES", "--log-max-bytes"), ("RUNNER_SERVE_LOG_KEEP", "--log-keep"), ("RUNNER_SERVE_LOG_SAMPLE", "--log-sample"),
        ("RUNNER_SERVE_MAX_BODY_BYTES", "--max-body-bytes"), ("RUNNER_SERVE_REQUEST_TIMEOUT", "--request-timeout"),
        ("RUNNER_SERVE_WORKERS", "--workers"), ("RUNNER_SERVE_OPEN", "--open"),
    ]

    /// Flags over environment over defaults; every value checked, errors say which flag or variable.
    public static func resolve(_ flags: Flags, environment: [String: String]) throws(ServeStartError) -> ServeConfiguration {
        func text(_ flag: String?, _ variable: String) -> (value: String, origin: String)? {
            if let flag { return (flag, "") }
            if let value = environment[variable], !value.isEmpty { return (value, variable) }
            return nil
        }
        func named(_ origin: String, _ flag: String) -> String { origin.isEmpty ? flag : origin }
        /// A number from its flag or variable, checked against `range`.
        func number<Value: Comparable>(_ flag: Value?, _ variable: String, _ name: String, _ range: ClosedRange<Value>, kind: String,
                                       parse: (String) -> Value?) throws(ServeStartError) -> Value? {
            let value: Value
            if let flag {
                value = flag
            } else if let raw = environment[variable], !raw.isEmpty {
                guard let parsed = parse(raw) else { throw .configuration("\(variable) must be \(kind), not '\(raw)'") }
                value = parsed
            } else {
                return nil
            }
            guard range.contains(value) else { throw .configuration("\(flag != nil ? name : variable) must be between \(range.lowerBound) and \(range.upperBound), not \(value)") }
            return value
        }
        func integer(_ flag: Int?, _ variable: String, _ name: String, _ range: ClosedRange<Int>) throws(ServeStartError) -> Int? {
            try number(flag, variable, name, range, kind: "a whole number") { Int($0) }
        }
        func real(_ flag: Double?, _ variable: String, _ name: String, _ range: ClosedRange<Double>) throws(ServeStartError) -> Double? {
            try number(flag, variable, name, range, kind: "a number") { Double($0) }
        }

        var bundles = flags.bundles
        if bundles.isEmpty, let listed = environment["RUNNER_SERVE_BUNDLES"] {
            bundles = listed.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        }
        guard !bundles.isEmpty else { throw .configuration("no bundle to serve: give BUNDLE paths (or NAME=PATH), or set RUNNER_SERVE_BUNDLES") }
        var configuration = ServeConfiguration(models: try models(bundles))

        if let host = text(flags.host, "RUNNER_SERVE_HOST") { configuration.host = host.value }
        if let port = try integer(flags.port, "RUNNER_SERVE_PORT", "--port", 0...65535) { configuration.port = port }
        configuration.tlsCertificate = text(flags.tlsCertificate, "RUNNER_SERVE_TLS_CERT")?.value
        configuration.tlsKey = text(flags.tlsKey, "RUNNER_SERVE_TLS_KEY")?.value
        if (configuration.tlsCertificate == nil) != (configuration.tlsKey == nil) {
            throw .configuration("TLS needs both --tls-cert and --tls-key (or RUNNER_SERVE_TLS_CERT and RUNNER_SERVE_TLS_KEY)")
        }
        configuration.apiKeysFile = text(flags.apiKeys, "RUNNER_SERVE_API_KEYS")?.value
        let keyEnvironment = text(flags.keyEnvironment, "RUNNER_SERVE_KEY_ENV")
        let keyFile = text(flags.keyFile, "RUNNER_SERVE_KEY_FILE")
        switch (keyEnvironment, keyFile) {
        case (let variable?, nil): configuration.bundleKey = .environment(variable.value)
        case (nil, let file?): configuration.bundleKey = .file(file.value)
        case (nil, nil): break
        case (let variable?, let file?):
            throw .configuration("give the bundle key one way: \(named(variable.origin, "--key-env")) or \(named(file.origin, "--key-file")), not both")
        }
        configuration.trustedKeyFile = text(flags.publicKey, "RUNNER_SERVE_PUBLIC_KEY")?.value
        if let directory = text(flags.logPredictions, "RUNNER_SERVE_LOG_PREDICTIONS") {
            var settings = PredictionLog.Settings(directory: directory.value)
            if let bytes = try integer(flags.logMaxBytes, "RUNNER_SERVE_LOG_MAX_BYTES", "--log-max-bytes", 4096...(1 << 40)) { settings.maximumFileBytes = bytes }
            if let keep = try integer(flags.logKeep, "RUNNER_SERVE_LOG_KEEP", "--log-keep", 0...100_000) { settings.keptFiles = keep }
            if let rate = try real(flags.logSample, "RUNNER_SERVE_LOG_SAMPLE", "--log-sample", 0...1) {
                guard rate > 0 else { throw .configuration("--log-sample must be above 0 (leave out --log-predictions to log nothing)") }
                settings.sampleRate = rate
            }
            configuration.predictionLog = settings
        } else if flags.logMaxBytes != nil || flags.logKeep != nil || flags.logSample != nil {
            throw .configuration("--log-max-bytes, --log-keep and --log-sample need --log-predictions DIR")
        }
        if let bytes = try integer(flags.maxBodyBytes, "RUNNER_SERVE_MAX_BODY_BYTES", "--max-body-bytes", 1024...(1 << 34)) { configuration.maxBodyBytes = bytes }
        if let seconds = try real(flags.requestTimeout, "RUNNER_SERVE_REQUEST_TIMEOUT", "--request-timeout", 0.001...86_400) { configuration.requestTimeoutSeconds = seconds }
        if let workers = try integer(flags.workers, "RUNNER_SERVE_WORKERS", "--workers", 1...1024) { configuration.workers = workers }
        if let open = text(flags.open, "RUNNER_SERVE_OPEN") {
            var endpoints = Set<OpenEndpoint>()
            for word in open.value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where word != "none" && !word.isEmpty {
                guard let endpoint = OpenEndpoint(rawValue: word) else {
                    throw .configuration("\(named(open.origin, "--open")): unknown endpoint group '\(word)'; use a comma-separated list of \(OpenEndpoint.allCases.map(\.rawValue).joined(separator: ", ")), or none")
                }
                endpoints.insert(endpoint)
            }
            configuration.openEndpoints = endpoints
        }
        return configuration
    }

    /// `PATH` (named by the experiment in its manifest, known once loaded) or `NAME=PATH`.
    static func models(_ arguments: [String]) throws(ServeStartError) -> [ModelRepository.Source] {
        var sources: [ModelRepository.Source] = []
        for argument in arguments {
            if let equals = argument.firstIndex(of: "="), !argument[..<equals].contains("/") {
                let name = String(argument[..<equals])
                guard isValidName(name) else {
                    throw .configuration("model name '\(name)' may hold only letters, digits, '.', '_' and '-' (it is part of URLs)")
                }
                sources.append(.init(name: name, path: String(argument[argument.index(after: equals)...])))
            } else {
                sources.append(.init(name: "", path: argument))
            }
        }
        return sources
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128 && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }
}
