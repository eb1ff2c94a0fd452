import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Tabular

/// One connection to a PostgreSQL server, used from synchronous code (data sources, the
/// registry, `predict --into`): each call waits for postgres-nio's event loop, so no Swift
/// concurrency thread is ever blocked waiting for another. Every failure is a `DataError`
/// naming the endpoint (never the password) with the server's own message.
public final class PostgresSession: Sendable {
    public let endpoint: PostgresEndpoint
    private let connection: PostgresConnection
    private let logger: Logger

    private init(endpoint: PostgresEndpoint, connection: PostgresConnection, logger: Logger) {
        self.endpoint = endpoint
        self.connection = connection
        self.logger = logger
    }

    deinit {
        try? connection.close().wait()
    }

    /// Connects and logs in; `connect_timeout` bounds the TCP connection, TLS and login together.
    public static func connect(_ endpoint: PostgresEndpoint) throws(DataError) -> PostgresSession {
        let configuration = try endpoint.configuration()
        var logger = Logger(label: "runner.postgres")
        logger.logLevel = .critical
        do {
            let connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger
            ).wait()
            return PostgresSession(endpoint: endpoint, connection: connection, logger: logger)
        } catch {
            throw DataError(path: endpoint.description, message: Self.describe(error, endpoint: endpoint, query: nil))
        }
    }

    /// Runs `sql` with `parameters` bound to `$1, $2, ...`, handing each row to `onRow` as it
    /// arrives (on the connection's event loop, one row at a time, in order).
    /// `wrapped` characters of `sql` come before the user's query (a cursor declaration):
    /// positions the server reports are shown within the user's query.
    public func query(_ sql: String, _ parameters: [QueryParameter] = [], wrapped: Int = 0, onRow: @escaping @Sendable (PostgresRow) throws -> Void) throws(DataError) {
        do {
            _ = try connection.query(Self.query(sql, parameters), logger: logger, onRow).wait()
        } catch let error as DataError {
            throw error
        } catch {
            throw DataError(path: endpoint.description, message: Self.describe(error, endpoint: endpoint, query: String(sql.dropFirst(wrapped)), wrapped: wrapped))
        }
    }

    /// Runs a statement that returns no rows of interest.
    public func execute(_ sql: String, _ parameters: [QueryParameter] = [], wrapped: Int = 0) throws(DataError) {
        try query(sql, parameters, wrapped: wrapped) { _ in }
    }

    /// All rows of a small result (registry reads), already collected.
    public func rows(_ sql: String, _ parameters: [QueryParameter] = []) throws(DataError) -> [PostgresRow] {
        let collected = RowCollector()
        try query(sql, parameters) { row in collected.append(row) }
        return collected.rows
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ begin: String = "BEGIN", _ body: () throws(DataError) -> T) throws(DataError) -> T {
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private static func query(_ sql: String, _ parameters: [QueryParameter]) throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: parameters.count)
        for parameter in parameters {
            switch parameter {
            case .text(let value): bindings.append(value)
            case .integer(let value): bindings.append(value)
            case .real(let value): bindings.append(value)
            case .null: bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// The server's message (with where in the query it points), or the connection's cause.
    static func describe(_ error: any Error, endpoint: PostgresEndpoint, query: String?, wrapped: Int = 0) -> String {
        guard let error = error as? PSQLError else {
            return "\(error)"
        }
        if let info = error.serverInfo, let message = info[.message] {
            var text = "PostgreSQL: \(message)"
            if let state = info[.sqlState] {
                text += " (SQLSTATE \(state))"
                if state == "28P01" || state == "28000" {
                    text += "; check the user and where the password comes from (url_env, password_env, password_file or PGPASSWORD)"
                }
            }
            if let query, let reported = info[.position].flatMap(Int.init), reported - wrapped > 0 {
                let position = reported - wrapped
                let prefix = query.prefix(position - 1)
                let line = prefix.filter { $0 == "\n" }.count + 1
                let column = prefix.count - (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0) + 1
                text += " at query line \(line), column \(column)"
            }
            if let hint = info[.hint] { text += "; hint: \(hint)" }
            return text
        }
        switch error.code {
        case .connectionError:
            let cause = error.underlying.map { Self.cause($0, endpoint: endpoint) } ?? "the connection failed"
            return "cannot connect: \(cause)"
        case .sslUnsupported:
            return "the server does not offer TLS, but sslmode=\(endpoint.tls.rawValue) requires it"
        case .authMechanismRequiresPassword:
            return "the server asks for a password and none was given (url_env, password_env, password_file or PGPASSWORD)"
        case .serverClosedConnection, .uncleanShutdown:
            return "the server closed the connection"
        case .queryCancelled:
            return "the query was cancelled"
        default:
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
    }

    private static func cause(_ error: any Error, endpoint: PostgresEndpoint) -> String {
        if let channel = error as? ChannelError, case .connectTimeout = channel {
            return "no answer within \(formatNumber(endpoint.connectTimeoutSeconds)) s (connect_timeout)"
        }
        if let ssl = error as? NIOSSLError {
            return "TLS: \(ssl)"
        }
        let text = "\(error)"
        if text.contains("connection reset") || text.contains("Connection refused") || text.contains("connect(descriptor") {
            return "connection refused at \(endpoint.host):\(endpoint.port) (is the server running and listening there?)"
        }
        return text
    }
}

/// Rows handed over from the event loop; read only after the query's future completed.
private final class RowCollector: @unchecked Sendable {
    var rows: [PostgresRow] = []
    func append(_ row: PostgresRow) { rows.append(row) }
}
