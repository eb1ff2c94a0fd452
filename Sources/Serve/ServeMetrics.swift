import Learn
import Prometheus
import Synchronization

/// What `/metrics` reports, in Prometheus' text format: traffic by route and status, latency,
/// rows and predicted classes (or a value histogram) per model, schema failures by column,
/// load times and an info series per bundle digest, and the prediction log's drops.
/// One registry per server, no process-wide state.
final class ServeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]
    private static let valueBuckets: [Double] = [-1e6, -1e4, -1e3, -100, -10, -1, 0, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1e3, 1e4, 1e5, 1e6]
    private let infoGauges = Mutex<[String: Gauge]>([:])
    let logDropped: Counter
    let logWritten: Counter
    let inFlight: Gauge

    init() {
        logDropped = registry.makeCounter(descriptor: Self.describe("runner_prediction_log_dropped_rows_total", "Rows not written to the prediction log: its buffer was full, or the disk refused them."), labels: [])
        logWritten = registry.makeCounter(descriptor: Self.describe("runner_prediction_log_rows_total", "Rows written to the prediction log."), labels: [])
        inFlight = registry.makeGauge(descriptor: Self.describe("runner_http_requests_in_flight", "Requests received and not yet answered."), labels: [])
    }

    /// Methods as labels: the known ones, everything else "other" (a label per made-up method
    /// would let any client grow the registry without bound).
    private static let methodLabels: Set<String> = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]

    func request(route: String, method: String, status: Int, duration: Duration) {
        let method = Self.methodLabels.contains(method) ? method : "other"
        registry.makeCounter(descriptor: Self.describe("runner_http_requests_total", "HTTP requests by route template, method and status."),
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.describe("runner_http_request_duration_seconds", "Time from request head to response, by route template."),
                                       labels: [("route", route)], buckets: latencyBuckets).record(duration)
    }

    func predicted(_ prediction: Prediction, model: ServedModel) {
        registry.makeCounter(descriptor: Self.describe("runner_predicted_rows_total", "Rows predicted, by model."), labels: [("model", model.name)])
            .increment(by: Int64(prediction.count))
        switch prediction {
        case .classes(let labels, _):
            let classes = model.classes ?? []
            var counts = [Int](repeating: 0, count: classes.count)
            for label in labels where counts.indices.contains(label) { counts[label] += 1 }
            for (index, count) in counts.enumerated() where count > 0 {
                registry.makeCounter(descriptor: Self.describe("runner_predicted_class_total", "Predicted rows by class, by model."),
                                     labels: [("model", model.name), ("class", classes[index])]).increment(by: Int64(count))
            }
        case .values(let values):
            let histogram = registry.makeValueHistogram(descriptor: Self.describe("runner_predicted_value", "Predicted values of regression models."),
                                                        labels: [("model", model.name)], buckets: Self.valueBuckets)
            for value in values { histogram.record(value) }
        }
    }

    /// `column` only when it is one of the model's inputs (never a name the client made up).
    func schemaFailure(model: ServedModel, column: String?) {
        let column = column.flatMap { name in model.inputs.contains { $0.name == name } ? name : nil }
        registry.makeCounter(descriptor: Self.describe("runner_schema_failures_total", "Requests refused because input did not fit the model's schema, by column (empty: not one column)."),
                             labels: [("model", model.name), ("column", column ?? "")]).increment()
    }

    func loaded(_ model: ServedModel) {
        registry.makeGauge(descriptor: Self.describe("runner_model_load_seconds", "Seconds the last load of the model's bundle took."), labels: [("model", model.name)])
            .set(Double(model.loadSeconds))
        let info = registry.makeGauge(descriptor: Self.describe("runner_model_info", "1 for the bundle each model serves: its version and file digest."),
                                      labels: [("model", model.name), ("version", model.version), ("sha256", model.digest)])
        info.set(1.0)
        let previous = infoGauges.withLock { gauges in
            let previous = gauges[model.name]
            gauges[model.name] = info
            return previous
        }
        if let previous, previous !== info { registry.unregisterGauge(previous) }
    }

    func reloadFailed(model: String) {
        registry.makeCounter(descriptor: Self.describe("runner_model_reload_failures_total", "Reloads refused because the new bundle did not load."), labels: [("model", model)]).increment()
    }

    var text: [UInt8] { registry.emitToBuffer() }

    /// A metric name with its help text (the unit is part of the name already).
    private static func describe(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
