import Hummingbird
import Learn
import Packaging

/// `POST /v1/models/{name}/predict`: rows as JSON records, split JSON or CSV, for curl and
/// scripts; `?proba=true` adds class probabilities; `Accept: text/csv` answers as
/// `runner predict` writes.
extension ModelServer {
    func addPredictRoutes(to router: Router<ServeContext>) {
        router.post("/v1/models/:name/predict") { request, context in
            let model = try self.servedModel(context)
            let contentType = (request.headers[.contentType] ?? "application/json").lowercased()
            let probabilities: Bool
            switch request.uri.queryParameters.get("proba")?.lowercased() {
            case nil, "false", "0": probabilities = false
            case "true", "1", "": probabilities = true
            case let other?: throw ServeError.badRequest("proba must be true or false, not '\(other)'")
            }
            let body = try await self.body(of: request)
            let read: RequestTable.Read
            do throws(ServeError) {
                if contentType.hasPrefix("text/csv") {
                    read = try RequestTable.fromCSV(body, schema: model.bundle.manifest.inputSchema)
                } else if contentType.hasPrefix("application/json") {
                    let document: JSONValue
                    do throws(JSONParser.Failure) {
                        document = try JSONParser.parse(body)
                    } catch {
                        throw ServeError.badRequest("the body is not valid JSON: \(error.message) (byte \(error.offset + 1))")
                    }
                    read = try RequestTable.fromJSON(document, schema: model.bundle.manifest.inputSchema)
                } else {
                    throw ServeError.unsupportedMediaType("send rows as application/json (records or split) or text/csv, not \(contentType)")
                }
            } catch {
                throw self.refused(error, model: model)
            }
            let prediction = try await self.predict(read.table, model: model, status: .unprocessableContent)
            self.logPredictions(read.table, prediction, model: model, requestID: context.requestID)
            if request.headers[.accept]?.lowercased().contains("text/csv") == true {
                var headers = HTTPFields()
                headers[.contentType] = "text/csv"
                let text = BundlePrediction.csv(prediction, classes: model.classes, probabilities: probabilities)
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
            return Self.json(Self.predictResponse(prediction, model: model, probabilities: probabilities, warnings: read.warnings))
        }
    }

    static func predictResponse(_ prediction: Prediction, model: ServedModel, probabilities: Bool, warnings: [String]) -> [UInt8] {
        var writer = JSONWriter(capacity: 128 + prediction.count * (probabilities ? 96 : 16))
        writer.beginObject()
        writer.member("model_name", model.name)
        writer.member("model_version", model.version)
        writer.key("predictions")
        writer.beginArray()
        switch prediction {
        case .classes(let labels, _):
            let classes = model.classes ?? []
            for label in labels { writer.string(classes.indices.contains(label) ? classes[label] : String(label)) }
        case .values(let values):
            for value in values { writer.number(value) }
        }
        writer.endArray()
        if probabilities, case .classes(_, let matrix?) = prediction {
            let classes = model.classes ?? []
            writer.key("probabilities")
            writer.beginArray()
            for row in 0..<matrix.rows {
                writer.beginObject()
                for (index, name) in classes.enumerated() where index < matrix.columns {
                    writer.key(name)
                    writer.number(matrix[row, index])
                }
                writer.endObject()
            }
            writer.endArray()
        }
        if !warnings.isEmpty {
            writer.key("warnings")
            writer.beginArray()
            for warning in warnings { writer.string(warning) }
            writer.endArray()
        }
        writer.endObject()
        return writer.bytes
    }
}
