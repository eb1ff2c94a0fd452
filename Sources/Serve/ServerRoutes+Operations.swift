import Hummingbird

/// Server metadata, health, metrics, the OpenAPI document, the model list and the admin reload.
extension ModelServer {
    func addOperationRoutes(to router: Router<ServeContext>) {
        router.get("/v2") { _, _ in
            var writer = JSONWriter()
            writer.beginObject()
            writer.member("name", "runner")
            writer.member("version", self.configuration.serverVersion)
            writer.key("extensions")
            writer.beginArray()
            writer.string("binary_tensor_data")
            writer.string("model_repository")
            writer.endArray()
            writer.endObject()
            return Self.json(writer.bytes)
        }
        router.get("/v2/health/live") { _, _ in Self.json(Array(#"{"live":true}"#.utf8)) }
        router.get("/v2/health/ready") { _, _ in
            // 503 while bundles load: what Kubernetes and load balancers read as "not yet".
            self.repository.isReady ? Self.json(Array(#"{"ready":true}"#.utf8)) : Self.json(Array(#"{"ready":false}"#.utf8), status: .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            // The registry's series, then the drift gauges of the models' sliding windows.
            let text = self.metrics.text + Array(self.drift.exposition(models: self.repository.loadedModels).utf8)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
        }
        router.get("/openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        router.get("/v1/models") { _, _ in
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("models")
            writer.beginArray()
            for model in self.repository.loadedModels {
                writer.beginObject()
                writer.member("name", model.name)
                writer.member("version", model.version)
                writer.member("sha256", model.digest)
                writer.member("task", model.bundle.manifest.task.rawValue)
                writer.member("target", model.bundle.manifest.target)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
            return Self.json(writer.bytes)
        }
        router.post("/v2/repository/models/:name/load") { _, context in
            guard let keys = self.keys?.keys, keys.entries.contains(where: \.isAdmin) else {
                throw ServeError.forbidden("reloading needs an admin API key: start the server with --api-keys FILE listing one marked 'admin' (or send SIGHUP)")
            }
            guard context.apiKey?.isAdmin == true else { throw ServeError.forbidden("reloading needs an admin API key; this key is not one") }
            let name = context.parameters.get("name") ?? ""
            let repository = self.repository
            let outcome = try await self.workers.runIfActive { () -> Result<ModelRepository.Reload, ServeError> in
                do throws(ServeError) { return .success(try repository.reload(name)) } catch { return .failure(error) }
            }
            let reload: ModelRepository.Reload
            switch outcome {
            case .success(let done): reload = done
            case .failure(let error):
                if error.status == .conflict { self.metrics.reloadFailed(model: name) }
                throw error
            }
            let fresh = reload.model, changed = reload.changed
            self.metrics.loaded(fresh)
            self.logger.info("model reloaded", metadata: ["model": .string(name), "version": .string(fresh.version), "changed": .stringConvertible(changed),
                                                          "request_id": .string(context.requestID)])
            var writer = JSONWriter()
            writer.beginObject()
            writer.member("name", name)
            writer.member("version", fresh.version)
            writer.member("changed", changed)
            writer.endObject()
            return Self.json(writer.bytes)
        }
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
