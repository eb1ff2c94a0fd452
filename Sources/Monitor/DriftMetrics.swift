/// The drift series `runner monitor --prometheus` writes and `runner serve` exposes at
/// /metrics, in Prometheus' text format; the alert rules and cloud agents read these names.
public enum DriftMetrics {
    public static let featureDrift = "runner_feature_drift"
    public static let featureDriftDetected = "runner_feature_drift_detected"
    public static let predictionDrift = "runner_prediction_drift"
    public static let status = "runner_drift_status"
    public static let driftedShare = "runner_drifted_feature_share"
    public static let windowRows = "runner_drift_window_rows"
    public static let metric = "runner_model_metric"

    /// Series for each model's report, one HELP and TYPE per metric name.
    public static func exposition(_ reports: [DriftReport]) -> String {
        var families: [(name: String, help: String, samples: [String])] = [
            (featureDrift, "Drift statistic per input column against the training profile (the deciding test, its p-value, and psi).", []),
            (featureDriftDetected, "1 when the column's drift test fired.", []),
            (predictionDrift, "Drift statistic of the model's predictions against its predictions on the training rows.", []),
            (status, "0 healthy, 1 warning, 2 alert.", []),
            (driftedShare, "Share of input columns that drifted.", []),
            (windowRows, "Rows the drift statistics were computed over.", []),
            (metric, "Metric on labelled new rows (source=current) and on the test split (source=test).", []),
        ]
        for report in reports {
            let model = ("model", report.model)
            for column in report.columns where column.rows > 0 {
                families[0].samples.append(sample(featureDrift, [model, ("feature", column.name), ("statistic", column.test)], column.statistic))
                if let pValue = column.pValue {
                    families[0].samples.append(sample(featureDrift, [model, ("feature", column.name), ("statistic", column.test + "_p_value")], pValue))
                }
                if let psi = column.psi, column.test != "psi" {
                    families[0].samples.append(sample(featureDrift, [model, ("feature", column.name), ("statistic", "psi")], psi))
                }
                families[1].samples.append(sample(featureDriftDetected, [model, ("feature", column.name)], column.drift ? 1 : 0))
            }
            if let prediction = report.prediction, prediction.rows > 0 {
                families[2].samples.append(sample(predictionDrift, [model, ("statistic", prediction.test)], prediction.statistic))
                if let pValue = prediction.pValue { families[2].samples.append(sample(predictionDrift, [model, ("statistic", prediction.test + "_p_value")], pValue)) }
            }
            families[3].samples.append(sample(status, [model], Double(report.status.level)))
            families[4].samples.append(sample(driftedShare, [model], report.driftedShare))
            families[5].samples.append(sample(windowRows, [model], Double(report.rows)))
            for change in report.performance {
                families[6].samples.append(sample(metric, [model, ("metric", change.metric), ("source", "current")], change.current))
                if let reference = change.reference { families[6].samples.append(sample(metric, [model, ("metric", change.metric), ("source", "test")], reference)) }
            }
        }
        var text = ""
        for family in families where !family.samples.isEmpty {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) gauge\n"
            for line in family.samples { text += line + "\n" }
        }
        return text
    }

    private static func sample(_ name: String, _ labels: [(String, String)], _ value: Double) -> String {
        let rendered = labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
        let number = value.isNaN ? "NaN" : value.isInfinite ? (value > 0 ? "+Inf" : "-Inf") : "\(value)"
        return "\(name){\(rendered)} \(number)"
    }

    /// Label values escape backslash, double quote and line feed.
    private static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
