import Learn
import Monitor
import Packaging
import Synchronization
import Tabular

/// The newest predicted rows per model (the profile's `window` setting, 1,000 by default),
/// compared with the bundle's training profile when /metrics is scraped: the drift gauges
/// `runner monitor --prometheus` writes, live. Requests only append under a lock; the
/// statistics are computed at scrape time, and again only when rows arrived since. A
/// reloaded bundle (another digest) starts a new window.
final class DriftWindows: Sendable {
    private struct Window {
        var digest: String
        var capacity: Int
        var columns: [String: ColumnValues]
        var outputs: ColumnValues
        var rows = 0
        /// Rows appended since the window was made: a scrape recomputes only when it moved.
        var appended = 0
        var cached: (appended: Int, report: DriftReport)?
    }

    /// One column's values, oldest first, trimmed back to capacity in batches. Appends
    /// mutate the arrays in place (a request must not copy the window).
    private struct ColumnValues {
        var isText: Bool
        var numbers: [Double] = []
        var texts: [String?] = []

        mutating func append(_ column: Column) {
            switch column.storage {
            case .numeric(let added):
                if isText {
                    for row in 0..<column.count { texts.append(column.text(at: row)) }
                } else {
                    numbers.append(contentsOf: added)
                }
            case .categorical(let categorical):
                if isText {
                    for row in 0..<column.count { texts.append(categorical.value(at: row)) }
                } else {
                    numbers.append(contentsOf: repeatElement(.nan, count: column.count))
                }
            }
        }

        mutating func keepLast(_ count: Int) {
            if isText { texts.removeFirst(max(0, texts.count - count)) } else { numbers.removeFirst(max(0, numbers.count - count)) }
        }

        var sample: Sample { isText ? .texts(texts) : .numbers(numbers) }
    }

    private let windows = Mutex<[String: Window]>([:])

    /// Adds a request's rows and the model's outputs (models without a profile are skipped).
    func record(_ table: Table, _ prediction: Prediction, model: ServedModel) {
        guard let profile = model.bundle.profile else { return }
        let classes = model.classes ?? []
        let outputs: Column
        switch prediction {
        case .classes(let labels, _): outputs = Column(name: "prediction", strings: labels.map { classes.indices.contains($0) ? classes[$0] : nil })
        case .values(let values): outputs = Column(name: "prediction", numeric: values)
        }
        windows.withLock { windows in
            // Taken out of the dictionary so the arrays have one owner and grow in place.
            var window = windows.removeValue(forKey: model.name).flatMap { $0.digest == model.digest ? $0 : nil } ?? Self.empty(model, profile)
            for field in model.bundle.manifest.inputSchema.fields {
                guard let column = table[field.name] else { continue }
                window.columns[field.name]?.append(column)
            }
            window.outputs.append(outputs)
            window.rows += table.rowCount
            window.appended += table.rowCount
            // Trim in batches: at twice the capacity, back to the capacity.
            if window.rows >= 2 * window.capacity {
                for name in window.columns.keys { window.columns[name]?.keepLast(window.capacity) }
                window.outputs.keepLast(window.capacity)
                window.rows = window.capacity
            }
            windows[model.name] = window
        }
    }

    private static func empty(_ model: ServedModel, _ profile: ReferenceProfile) -> Window {
        var columns: [String: ColumnValues] = [:]
        for field in model.bundle.manifest.inputSchema.fields {
            columns[field.name] = ColumnValues(isText: field.kind == .categorical)
        }
        return Window(digest: model.digest, capacity: profile.settings.window, columns: columns,
                      outputs: ColumnValues(isText: model.bundle.manifest.task == .classification))
    }

    /// The drift series of every model with rows, for /metrics.
    func exposition(models: [ServedModel]) -> String {
        var reports: [DriftReport] = []
        for model in models.sorted(by: { $0.name < $1.name }) {
            guard let profile = model.bundle.profile else { continue }
            let snapshot = windows.withLock { windows -> Window? in windows[model.name].flatMap { $0.digest == model.digest ? $0 : nil } }
            guard var window = snapshot, window.rows > 0 else { continue }
            if let cached = window.cached, cached.appended == window.appended {
                reports.append(cached.report)
                continue
            }
            let count = min(window.rows, window.capacity)
            for name in window.columns.keys { window.columns[name]?.keepLast(count) }
            window.outputs.keepLast(count)
            var report = DriftAnalysis.analyze(profile, DriftAnalysis.Current(columns: window.columns.mapValues(\.sample), rows: count, predictions: window.outputs.sample),
                                               model: model.name, bundleDigest: model.digest)
            report.notes = []
            reports.append(report)
            let appended = window.appended
            windows.withLock { windows in
                if windows[model.name]?.digest == model.digest, windows[model.name]?.appended == appended { windows[model.name]?.cached = (appended, report) }
            }
        }
        return DriftMetrics.exposition(reports)
    }
}
