import Foundation
import Hummingbird
import Learn
import Packaging
import Tabular

/// What both prediction surfaces share: the body within its limit, the model by name, the
/// prediction on the worker threads, and what it leaves in metrics and the prediction log.
extension ModelServer {
    func body(of request: Request) async throws(ServeError) -> [UInt8] {
        do {
            var buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw .payloadTooLarge(limit: configuration.maxBodyBytes)
        } catch {
            throw .badRequest("the request body could not be read: \(error)")
        }
    }

    func servedModel(_ context: ServeContext) throws(ServeError) -> ServedModel {
        let name = context.parameters.get("name") ?? ""
        guard let model = repository.model(named: name) else {
            if !repository.isReady, repository.sources.contains(where: { $0.name == name || $0.name.isEmpty }) {
                throw .unavailable("model '\(name)' is still loading; GET /v2/health/ready says when every model is in")
            }
            throw .notFound("no model named '\(name)'; this server has \(repository.loadedModels.map(\.name).joined(separator: ", "))")
        }
        return model
    }

    /// Predicts on a worker thread (a large batch never holds up the threads serving other
    /// requests); input the model refuses is `status` (422 or 400) with row and column.
    func predict(_ table: Table, model: ServedModel, status: HTTPResponse.Status) async throws(ServeError) -> Prediction {
        let threads = table.rowCount >= 20_000 ? max(1, configuration.workers) : 1
        let result: Result<Prediction, BundleError>
        do {
            result = try await workers.runIfActive { () -> Result<Prediction, BundleError> in
                do throws(BundleError) { return .success(try BundlePrediction.predict(model.bundle, table, threads: threads)) } catch { return .failure(error) }
            }
        } catch {
            throw .unavailable("the server is shutting down; retry on another instance")
        }
        switch result {
        case .success(let prediction):
            metrics.predicted(prediction, model: model)
            drift.record(table, prediction, model: model)
            return prediction
        case .failure(let error):
            let refused = RequestTable.describe(error, status: status)
            if refused.status.code < 500 { metrics.schemaFailure(model: model, column: refused.column) }
            throw refused
        }
    }

    /// Counts a refusal of the input (before the model saw it) in the schema failure metric.
    func refused(_ error: ServeError, model: ServedModel) -> ServeError {
        if error.status.code < 500 { metrics.schemaFailure(model: model, column: error.column) }
        return error
    }

    /// One prediction log line per sampled row: time, model, version, digest, request id, the
    /// row's inputs and its output (and class probabilities).
    func logPredictions(_ table: Table, _ prediction: Prediction, model: ServedModel, requestID: String) {
        guard let log = predictionLog else { return }
        let time = LogOutput.timestamp()
        let classes = model.classes ?? []
        var lines: [[UInt8]] = []
        for row in 0..<table.rowCount where log.sample() {
            var writer = JSONWriter(capacity: 256)
            writer.beginObject()
            writer.member("time", time)
            writer.member("model", model.name)
            writer.member("version", model.version)
            writer.member("sha256", model.digest)
            writer.member("request_id", requestID)
            writer.member("row", row + 1)
            writer.key("inputs")
            writer.beginObject()
            for column in table.columns {
                writer.key(column.name)
                Self.writeCell(column, row: row, into: &writer)
            }
            writer.endObject()
            switch prediction {
            case .classes(let labels, let probabilities):
                writer.member("output", classes.indices.contains(labels[row]) ? classes[labels[row]] : String(labels[row]))
                if let probabilities {
                    writer.key("probabilities")
                    writer.beginObject()
                    for (index, name) in classes.enumerated() where index < probabilities.columns {
                        writer.key(name)
                        writer.number(probabilities[row, index])
                    }
                    writer.endObject()
                }
            case .values(let values):
                writer.key("output")
                writer.number(values[row])
            }
            writer.endObject()
            lines.append(writer.bytes)
        }
        log.append(lines)
    }

    static func writeCell(_ column: Column, row: Int, into writer: inout JSONWriter) {
        switch column.storage {
        case .numeric(let values):
            let value = values[row]
            if value.isNaN { writer.null() } else if column.kind == .boolean { writer.bool(value != 0) } else { writer.number(value) }
        case .categorical(let categorical):
            if let text = categorical.value(at: row) { writer.string(text) } else { writer.null() }
        }
    }
}
