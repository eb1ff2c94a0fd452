import HTTPTypes

/// Why a request is refused: the status and a message that says what to change. Bodies are
/// `{"error": message}` (the Open Inference Protocol's error form), with `row` and `column`
/// when a value of the input is at fault. A problem of the server itself is never the
/// client's fault, so only those are 5xx.
struct ServeError: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var message: String
    /// 1-based row of the input at fault, when one is.
    var row: Int?
    var column: String?
    /// Extra response headers (WWW-Authenticate on 401).
    var headers: [(name: String, value: String)] = []

    static func == (lhs: ServeError, rhs: ServeError) -> Bool {
        lhs.status == rhs.status && lhs.message == rhs.message && lhs.row == rhs.row && lhs.column == rhs.column
    }

    static func badRequest(_ message: String) -> ServeError { ServeError(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> ServeError { ServeError(status: .notFound, message: message) }
    static func unsupportedMediaType(_ message: String) -> ServeError { ServeError(status: .unsupportedMediaType, message: message) }
    static func forbidden(_ message: String) -> ServeError { ServeError(status: .forbidden, message: message) }
    static func unauthorized(_ message: String) -> ServeError {
        ServeError(status: .unauthorized, message: message, headers: [("WWW-Authenticate", "Bearer realm=\"runner\"")])
    }
    static func unavailable(_ message: String) -> ServeError { ServeError(status: .serviceUnavailable, message: message) }

    /// The input does not fit the model's schema: 422 on the simple surface, 400 on the Open
    /// Inference Protocol's (which names 400 for every bad request).
    static func invalidInput(_ message: String, row: Int? = nil, column: String? = nil, status: HTTPResponse.Status = .unprocessableContent) -> ServeError {
        ServeError(status: status, message: message, row: row, column: column)
    }

    static func payloadTooLarge(limit: Int) -> ServeError {
        ServeError(status: .contentTooLarge, message: "the request body is larger than the server's limit of \(limit) bytes; send fewer rows per request or start the server with a larger --max-body-bytes")
    }

    var jsonBody: [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("error", message)
        if let row { writer.member("row", row) }
        if let column { writer.member("column", column) }
        writer.endObject()
        return writer.bytes
    }
}
