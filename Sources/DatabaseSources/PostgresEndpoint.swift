import Foundation
import NIOSSL
import PostgresNIO
import Tabular

/// Where a PostgreSQL database is and how to log in, from a `postgres://` URL (libpq's form)
/// and a password that comes only from the environment or a file, never from a spec or a
/// command line. `description` never shows the password.
///
/// URL parameters: `sslmode` (disable, prefer (default, as libpq), require, verify-ca,
/// verify-full), `sslrootcert` (a PEM file of trusted CAs for the verify modes),
/// `connect_timeout` (seconds, default 10: an unreachable server is an error, not a hang)
/// and `statement_timeout` (milliseconds, passed to the server).
public struct PostgresEndpoint: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// Where the password comes from.
    public enum PasswordSource: Sendable, Equatable {
        /// None given: `PGPASSWORD` when set (as psql), else none (trust or peer authentication).
        case standard
        case environment(String)
        case file(String)
        /// Inside a URL that itself came from the environment (`url_env`) or a file.
        case inURL(String)
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var tls: TLSMode
    public var rootCertificate: String?
    public var connectTimeoutSeconds: Double
    public var statementTimeoutMilliseconds: Int?
    public var password: PasswordSource

    /// `postgres://user@host:port/database` with the TLS mode: what messages, locks and logs show.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    /// Parses a URL. `allowPassword` is false for URLs written in a spec or on a command line:
    /// a password there is refused, with where to put it instead.
    public static func parse(_ text: String, allowPassword: Bool, password: PasswordSource = .standard) throws(DataError) -> PostgresEndpoint {
        let shown = redacted(text)
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw DataError(path: shown, message: "not a PostgreSQL URL; write postgres://USER@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else {
            throw DataError(path: shown, message: "the URL names no host; write postgres://USER@HOST:PORT/DATABASE")
        }
        var endpoint = PostgresEndpoint(
            host: host, port: components.port ?? 5432,
            user: components.user?.removingPercentEncoding ?? ProcessInfo.processInfo.environment["PGUSER"] ?? "postgres",
            database: "", tls: .prefer, rootCertificate: nil, connectTimeoutSeconds: 10,
            statementTimeoutMilliseconds: nil, password: password)
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        endpoint.database = path.removingPercentEncoding ?? path
        if endpoint.database.isEmpty { endpoint.database = endpoint.user }
        if let secret = components.password {
            guard allowPassword else {
                throw DataError(path: shown, message: "the URL holds a password; keep it out of specs and command lines: set url_env to an environment variable holding the URL, or password_env / password_file")
            }
            endpoint.password = .inURL(secret.removingPercentEncoding ?? secret)
        }
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw DataError(path: shown, message: "sslmode '\(value)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                endpoint.tls = mode
            case "sslrootcert":
                endpoint.rootCertificate = value
            case "connect_timeout":
                guard let seconds = Double(value), seconds > 0, seconds <= 3600 else {
                    throw DataError(path: shown, message: "connect_timeout '\(value)' is not a number of seconds between 0 and 3600")
                }
                endpoint.connectTimeoutSeconds = seconds
            case "statement_timeout":
                guard let milliseconds = Int(value), milliseconds >= 0 else {
                    throw DataError(path: shown, message: "statement_timeout '\(value)' is not a number of milliseconds")
                }
                endpoint.statementTimeoutMilliseconds = milliseconds
            case "application_name", "user", "password":
                if item.name == "password" {
                    throw DataError(path: shown, message: "the URL holds a password; keep it out of specs and command lines: use the environment or a file")
                }
                continue
            default:
                throw DataError(path: shown, message: "unknown URL parameter '\(item.name)' (runner reads sslmode, sslrootcert, connect_timeout, statement_timeout)")
            }
        }
        if endpoint.rootCertificate != nil, endpoint.tls == .disable || endpoint.tls == .prefer {
            // libpq verifies against sslrootcert only in the verify modes; say so rather than ignore it.
            throw DataError(path: shown, message: "sslrootcert is used only with sslmode=verify-ca or verify-full")
        }
        return endpoint
    }

    /// The URL with any password replaced by `***`, for messages about a URL that did not parse.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else {
            // Unparseable: show nothing that could be a secret.
            return text.contains("@") ? "postgres://***@…" : text
        }
        if components.password != nil { components.password = "***" }
        components.queryItems = components.queryItems?.map { $0.name == "password" ? URLQueryItem(name: "password", value: "***") : $0 }
        return components.string ?? "postgres://…"
    }

    /// The password, read now (files may be rotated between runs).
    func resolvePassword() throws(DataError) -> String? {
        switch password {
        case .standard:
            return ProcessInfo.processInfo.environment["PGPASSWORD"]
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw DataError(path: description, message: "the environment variable \(name) (the password) is not set")
            }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw DataError(path: description, message: "cannot read the password file \(path)")
            }
            return String(text.prefix { $0 != "\n" && $0 != "\r" })
        case .inURL(let secret):
            return secret
        }
    }

    /// The connection settings postgres-nio takes.
    func configuration() throws(DataError) -> PostgresConnection.Configuration {
        let secret = try resolvePassword()
        let tlsConfiguration: PostgresConnection.Configuration.TLS
        do {
            switch tls {
            case .disable:
                tlsConfiguration = .disable
            case .prefer, .require:
                // As libpq: encryption without checking who answers.
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .none
                let context = try NIOSSLContext(configuration: settings)
                tlsConfiguration = tls == .prefer ? .prefer(context) : .require(context)
            case .verifyCA, .verifyFull:
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = tls == .verifyFull ? .fullVerification : .noHostnameVerification
                if let rootCertificate {
                    guard FileManager.default.isReadableFile(atPath: rootCertificate) else {
                        throw DataError(path: description, message: "cannot read sslrootcert \(rootCertificate)")
                    }
                    settings.trustRoots = .file(rootCertificate)
                }
                tlsConfiguration = .require(try NIOSSLContext(configuration: settings))
            }
        } catch let error as DataError {
            throw error
        } catch {
            throw DataError(path: description, message: "TLS settings: \(error)")
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: secret, database: database, tls: tlsConfiguration)
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeoutSeconds * 1000))
        var parameters = [("application_name", "runner")]
        if let statementTimeoutMilliseconds { parameters.append(("statement_timeout", String(statementTimeoutMilliseconds))) }
        configuration.options.additionalStartupParameters = parameters
        return configuration
    }
}
