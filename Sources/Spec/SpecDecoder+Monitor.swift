import Learn
import Yams

extension SpecDecoder {
    /// `monitor:`: drift tests and thresholds (docs/monitoring.md).
    mutating func decodeMonitor(_ node: Node) -> MonitorSpec {
        var monitor = MonitorSpec()
        let keys = ["numeric_test", "categorical_test", "columns", "p_value", "correction", "thresholds", "reference_rows_for_tests", "window"]
        guard let entries = reader.mapping(node, in: "'monitor'", allowed: keys) else { return monitor }
        if let entry = entries["numeric_test"] { monitor.numericTest = reader.choice(entry.value, "monitor.numeric_test", as: MonitorSpec.NumericTest.self) }
        if let entry = entries["categorical_test"] { monitor.categoricalTest = reader.choice(entry.value, "monitor.categorical_test", as: MonitorSpec.CategoricalTest.self) }
        if let entry = entries["columns"], let columns = reader.mapping(entry.value, in: "'monitor.columns'", allowed: nil) {
            let tests = Set(MonitorSpec.NumericTest.allCases.map(\.rawValue) + MonitorSpec.CategoricalTest.allCases.map(\.rawValue))
            for name in columns.keys.sorted() {
                guard let column = columns[name], let test = reader.text(column.value, "monitor.columns.\(name)") else { continue }
                guard tests.contains(test) else {
                    reader.error(column.value.location, "unknown drift test '\(test)' for column '\(name)'; use \(Wording.list(tests.sorted()))\(Suggestion.hint(for: test, among: tests.sorted()))")
                    continue
                }
                monitor.columns.append(.init(column: Located(name, at: column.keyLocation), test: Located(test, at: column.value.location)))
            }
        }
        if let entry = entries["p_value"], let value = reader.number(entry.value, "monitor.p_value") {
            if value > 0 && value < 1 { monitor.pValue = value } else { reader.error(entry.value.location, "monitor.p_value must be between 0 and 1 (exclusive), found \(value)") }
        }
        if let entry = entries["correction"], let value = reader.text(entry.value, "monitor.correction") {
            switch value {
            case "bonferroni": monitor.bonferroni = true
            case "none": monitor.bonferroni = false
            default: reader.error(entry.value.location, "monitor.correction must be 'bonferroni' or 'none', found '\(value)'")
            }
        }
        if let entry = entries["thresholds"], let thresholds = reader.mapping(entry.value, in: "'monitor.thresholds'", allowed: MonitorSpec.Threshold.allCases.map(\.rawValue)) {
            for threshold in MonitorSpec.Threshold.allCases {
                guard let item = thresholds[threshold.rawValue], let value = reader.number(item.value, "monitor.thresholds.\(threshold.rawValue)") else { continue }
                if value >= 0 && value.isFinite { monitor.thresholds[threshold] = value } else { reader.error(item.value.location, "monitor.thresholds.\(threshold.rawValue) must be a number of at least 0, found \(value)") }
            }
        }
        if let entry = entries["reference_rows_for_tests"], let value = reader.int(entry.value, "monitor.reference_rows_for_tests", atLeast: 0) { monitor.referenceRowsForTests = value }
        if let entry = entries["window"], let value = reader.int(entry.value, "monitor.window", atLeast: 10) {
            if value <= 1_000_000 { monitor.window = value } else { reader.error(entry.value.location, "monitor.window is at most 1000000 rows (the server keeps them in memory), found \(value)") }
        }
        return monitor
    }
}
