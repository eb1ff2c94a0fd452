import Hummingbird
import Learn

/// The Open Inference Protocol v2 model endpoints (KServe, Triton, Seldon MLServer clients).
extension ModelServer {
    func addInferenceRoutes(to router: Router<ServeContext>) {
        router.get("/v2/models/:name") { _, context in
            Self.json(InferenceProtocol.metadata(try self.servedModel(context)))
        }
        router.get("/v2/models/:name/ready") { _, context in
            let model = try self.servedModel(context)
            var writer = JSONWriter()
            writer.beginObject()
            writer.member("name", model.name)
            writer.member("ready", true)
            writer.endObject()
            return Self.json(writer.bytes)
        }
        router.post("/v2/models/:name/infer") { request, context in
            let model = try self.servedModel(context)
            let contentType = request.headers[.contentType]?.lowercased() ?? "application/json"
            let headerLength = request.headers[.inferenceHeaderContentLength]
            guard contentType.hasPrefix("application/json") || contentType.hasPrefix("application/octet-stream") || headerLength != nil else {
                throw ServeError.unsupportedMediaType("the inference protocol takes application/json (or the binary tensor extension as application/octet-stream), not \(contentType)")
            }
            var length: Int?
            if let headerLength {
                guard let parsed = Int(headerLength), parsed >= 0 else { throw ServeError.badRequest("Inference-Header-Content-Length must be a byte count, not '\(headerLength)'") }
                length = parsed
            }
            let body = try await self.body(of: request)
            let inference: InferenceProtocol.Request
            do throws(ServeError) {
                inference = try InferenceProtocol.parseRequest(body, headerLength: length, model: model)
            } catch {
                throw self.refused(error, model: model)
            }
            let prediction = try await self.predict(inference.table, model: model, status: .badRequest)
            self.logPredictions(inference.table, prediction, model: model, requestID: context.requestID)
            let (bytes, jsonLength) = InferenceProtocol.response(prediction, request: inference, model: model)
            var response = Self.json(bytes)
            if let jsonLength {
                response.headers[.contentType] = "application/octet-stream"
                response.headers[.inferenceHeaderContentLength] = String(jsonLength)
            }
            return response
        }
    }
}
