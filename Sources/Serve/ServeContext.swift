import HTTPTypes
import Hummingbird

/// Per-request state the server's routes share: the request id every log line and the
/// prediction log carry, and the API key's entry when keys are required.
public struct ServeContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String = ""
    public var apiKey: APIKeys.Entry?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

extension ServeError: HTTPResponseError {
    func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    func response() -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for header in headers {
            if let name = HTTPField.Name(header.name) { fields[name] = header.value }
        }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: jsonBody)))
    }
}
