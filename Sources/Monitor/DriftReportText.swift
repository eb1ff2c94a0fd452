import Tabular

extension DriftReport {
    /// The report for people: one line per column with its test, statistic, threshold and
    /// what moved, then predictions, metrics, notes and what to do.
    public var text: String {
        var table = TextTable(header: ["column", "test", "statistic", "p-value", "threshold", "psi", "missing", "change", "status"])
        table.rightAligned = [2, 3, 4, 5, 6]
        for column in columns + [prediction, target].compactMap({ $0 }) {
            table.rows.append([
                column.name, column.test, number(column.statistic), column.pValue.map(number) ?? "", number(column.threshold),
                column.psi.map(number) ?? "", formatShare(column.missingShare), column.change,
                column.status == .ok ? "ok" : column.status.rawValue + ": " + column.reasons.joined(separator: "; "),
            ])
        }
        var lines = ["\(model): \(rows) rows checked against the training profile\(bundleDigest.map { " (bundle \($0.prefix(12)))" } ?? "")", table.render()]
        if !performance.isEmpty {
            var metrics = TextTable(header: ["metric", "test split", "now", "worse by", "status"])
            metrics.rightAligned = [1, 2, 3]
            for change in performance {
                metrics.rows.append([change.metric, change.reference.map(number) ?? "", number(change.current),
                                     change.worseBy.map { formatShare($0) } ?? "", change.status.rawValue])
            }
            lines.append(metrics.render())
        }
        for note in notes { lines.append("note: \(note)") }
        lines.append("status: \(status.rawValue)\(status == .ok ? "" : " (" + summary + ")")")
        return lines.joined(separator: "\n")
    }

    /// What moved, for the status line and alerts: the drifted columns with their change, and
    /// the metrics that dropped.
    public var summary: String {
        var parts: [String] = []
        let drifted = driftedColumns
        if !drifted.isEmpty {
            parts.append("drift in " + drifted.map { "\($0.name) (\($0.change))" }.joined(separator: ", "))
        }
        if let prediction, prediction.drift { parts.append("predictions moved (\(prediction.change))") }
        let worse = performance.filter { $0.status != .ok }
        if !worse.isEmpty {
            parts.append(worse.map { "\($0.metric) \(number($0.reference ?? .nan)) → \(number($0.current))" }.joined(separator: ", "))
        }
        let warned = columns.filter { $0.status == .warning }
        if !warned.isEmpty { parts.append("warnings on " + warned.map(\.name).joined(separator: ", ")) }
        if parts.isEmpty, let missing = columns.first(where: { $0.rows == 0 && $0.status == .alert }) { parts.append("column '\(missing.name)' is missing") }
        return parts.joined(separator: "; ")
    }
}
