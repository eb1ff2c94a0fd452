import Foundation
import Learn
import Packaging
import Tabular

/// The values of one column of new data: numbers (NaN missing) or text (nil missing).
public enum Sample: Sendable {
    case numbers([Double])
    case texts([String?])

    public init(_ column: Column) {
        switch column.storage {
        case .numeric(let values): self = .numbers(values)
        case .categorical(let categorical): self = .texts((0..<column.count).map { categorical.value(at: $0) })
        }
    }

    public var count: Int {
        switch self {
        case .numbers(let values): return values.count
        case .texts(let values): return values.count
        }
    }

    /// Numbers, with text that is not a number counted as a type error (and missing).
    public func numbers() -> (values: [Double], typeErrors: Int) {
        switch self {
        case .numbers(let values): return (values, 0)
        case .texts(let texts):
            var errors = 0
            let values = texts.map { text -> Double in
                guard let text else { return .nan }
                if let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite { return number }
                errors += 1
                return .nan
            }
            return (values, errors)
        }
    }

    /// Category names; numbers as the profile writes them.
    public func texts() -> [String?] {
        switch self {
        case .numbers(let values): return values.map { $0.isNaN ? nil : formatNumber($0) }
        case .texts(let texts): return texts
        }
    }
}

/// Compares new data with a bundle's reference profile, column by column, with the tests the
/// profile's settings choose.
public enum DriftAnalysis {
    /// New rows to check: input columns by name (a column the model needs and the data lacks
    /// is an alert), and optionally the model's outputs on them and the true labels.
    public struct Current: Sendable {
        public var columns: [String: Sample]
        public var rows: Int
        public var predictions: Sample?
        public var labels: Sample?

        public init(columns: [String: Sample], rows: Int, predictions: Sample? = nil, labels: Sample? = nil) {
            self.columns = columns
            self.rows = rows
            self.predictions = predictions
            self.labels = labels
        }

        public init(table: Table, predictions: Sample? = nil, labels: Sample? = nil) {
            var columns: [String: Sample] = [:]
            for column in table.columns { columns[column.name] = Sample(column) }
            self.init(columns: columns, rows: table.rowCount, predictions: predictions, labels: labels)
        }
    }

    private enum Path { case numeric, categorical }

    public static func analyze(_ profile: ReferenceProfile, _ current: Current, model: String, bundleDigest: String? = nil) -> DriftReport {
        let settings = profile.settings
        var pairs: [(ColumnProfile, Sample?)] = profile.columns.map { ($0, current.columns[$0.name]) }
        if let predictions = current.predictions { pairs.append((profile.prediction, predictions)) }
        if let labels = current.labels { pairs.append((profile.target, labels)) }
        let choices = pairs.map { pair in choose(pair.0, settings: settings, referenceRows: pair.0.count + pair.0.missing) }
        let tests = zip(pairs, choices).filter { $0.0.1 != nil && ($0.1.method == .ks || $0.1.method == .chiSquare) }.count
        let alpha = settings.bonferroni && tests > 1 ? settings.pValue / Double(tests) : settings.pValue
        var results: [ColumnDrift] = []
        var notes: [String] = []
        for ((reference, sample), choice) in zip(pairs, choices) {
            guard let sample else {
                results.append(ColumnDrift(name: reference.name, test: choice.method.rawValue, statistic: .nan, pValue: nil, threshold: .nan, drift: false, psi: nil,
                                           rows: 0, missingShare: 1, referenceMissingShare: share(reference.missing, reference.count + reference.missing), outOfRangeShare: nil,
                                           unseenShare: nil, unseenValues: [], typeErrors: 0, change: "the column is missing", status: .alert,
                                           reasons: ["the model needs column '\(reference.name)' and the data has none"]))
                continue
            }
            results.append(compare(reference, sample, choice: choice, alpha: alpha, settings: settings))
        }
        var inputs = Array(results.prefix(profile.columns.count))
        var rest = results.dropFirst(profile.columns.count)
        let prediction = current.predictions != nil ? rest.popFirst() : nil
        let target = current.labels != nil ? rest.popFirst() : nil
        let drifted = inputs.filter(\.drift).count
        let driftedShare = inputs.isEmpty ? 0 : Double(drifted) / Double(inputs.count)
        let datasetDrift = !inputs.isEmpty && driftedShare >= settings.datasetDriftShare
        if datasetDrift { notes.append("dataset drift: \(drifted) of \(inputs.count) input columns drifted (the limit is \(formatShare(settings.datasetDriftShare)))") }
        if current.rows == 0 { notes.append("no rows to check") }
        for index in inputs.indices where inputs[index].rows == 0 && inputs[index].status != .alert {
            inputs[index].reasons.append("no values")
        }
        var status = ([prediction, target].compactMap { $0 } + inputs).map(\.status).max() ?? .ok
        if datasetDrift { status = .alert }
        return DriftReport(model: model, bundleDigest: bundleDigest, rows: current.rows, columns: inputs, prediction: prediction, target: target,
                           performance: [], driftedShare: driftedShare, datasetDrift: datasetDrift, status: status, notes: notes)
    }

    private struct Choice {
        var path: Path
        var method: DriftSettings.Method
    }

    /// The test for a column: the spec's choice for it, else the setting for its kind, with
    /// `auto` picking tests for small references and distances for large ones.
    private static func choose(_ reference: ColumnProfile, settings: DriftSettings, referenceRows: Int) -> Choice {
        let asked = settings.columnMethods[reference.name]
        var path: Path
        switch asked {
        case .ks?, .wasserstein?: path = reference.numeric != nil ? .numeric : .categorical
        case .chiSquare?, .jensenShannon?: path = reference.categories != nil ? .categorical : .numeric
        default: path = reference.categories != nil ? .categorical : .numeric
        }
        if path == .numeric && reference.numeric == nil && reference.categories != nil { path = .categorical }
        var method = asked ?? (path == .numeric ? settings.numericMethod : settings.categoricalMethod)
        let small = referenceRows <= settings.referenceRowsForTests
        switch (path, method) {
        case (.numeric, .auto), (.numeric, .chiSquare), (.numeric, .jensenShannon): method = small ? .ks : .wasserstein
        case (.categorical, .auto), (.categorical, .ks), (.categorical, .wasserstein): method = small ? .chiSquare : .jensenShannon
        default: break
        }
        return Choice(path: path, method: method)
    }

    private static func compare(_ reference: ColumnProfile, _ sample: Sample, choice: Choice, alpha: Double, settings: DriftSettings) -> ColumnDrift {
        let referenceRows = reference.count + reference.missing
        var result = ColumnDrift(name: reference.name, test: choice.method.rawValue, statistic: .nan, pValue: nil, threshold: .nan, drift: false, psi: nil,
                                 rows: sample.count, missingShare: 0, referenceMissingShare: share(reference.missing, referenceRows), outOfRangeShare: nil,
                                 unseenShare: nil, unseenValues: [], typeErrors: 0, change: "", status: .ok, reasons: [])
        var warnings: [String] = []
        switch choice.path {
        case .numeric:
            let (values, typeErrors) = sample.numbers()
            result.typeErrors = typeErrors
            let present = values.filter { !$0.isNaN }.sorted()
            result.missingShare = share(values.count - present.count, values.count)
            guard let summary = reference.numeric, !present.isEmpty else { break }
            let outside = present.count { $0 < summary.minimum || $0 > summary.maximum }
            result.outOfRangeShare = share(outside, present.count)
            let currentBins = Profiler.binned(present, edges: summary.edges)
            result.psi = DriftDistances.populationStability(reference: summary.binCounts.map(Double.init), current: currentBins.map(Double.init))
            switch choice.method {
            case .ks:
                let test = KolmogorovSmirnovTest(sortedReference: summary.points, sortedCurrent: present)
                result.decide(statistic: test.statistic, pValue: test.pValue, alpha: alpha)
            case .wasserstein:
                // Normalized by the training spread so one threshold fits every unit.
                result.decide(distance: DriftDistances.wasserstein(sortedReference: summary.points, sortedCurrent: present) / max(summary.standardDeviation, 0.001),
                              threshold: settings.wasserstein)
            default:
                result.decidePSI(settings.psi)
            }
            let mean = present.reduce(0, +) / Double(present.count)
            let spread = (present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count)).squareRoot()
            result.change = "mean \(number(summary.mean)) → \(number(mean)), std \(number(summary.standardDeviation)) → \(number(spread))"
            if let outside = result.outOfRangeShare, outside > settings.outOfRange {
                warnings.append("\(formatShare(outside)) of values outside the training range [\(number(summary.minimum)), \(number(summary.maximum))]")
            }
        case .categorical:
            let texts = sample.texts()
            let present = texts.compactMap { $0 }
            result.missingShare = share(texts.count - present.count, texts.count)
            guard let summary = reference.categories, !present.isEmpty else { break }
            var index: [String: Int] = [:]
            for (position, value) in summary.values.enumerated() { index[value] = position }
            var counts = [Double](repeating: 0, count: summary.values.count)
            var unseen: [String: Int] = [:]
            for value in present {
                if let position = index[value] { counts[position] += 1 } else { unseen[value, default: 0] += 1 }
            }
            let unseenTotal = unseen.values.reduce(0, +)
            // Categories past the profile's limit are "other"; unseen values are only those a
            // complete profile lacks.
            var referenceCounts = summary.counts.map(Double.init)
            var currentCounts = counts
            referenceCounts.append(Double(summary.other))
            currentCounts.append(Double(unseenTotal))
            if summary.other == 0 {
                result.unseenShare = share(unseenTotal, present.count)
                result.unseenValues = unseen.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(5).map(\.key)
            }
            result.psi = DriftDistances.populationStability(reference: referenceCounts, current: currentCounts)
            switch choice.method {
            case .chiSquare:
                let test = ChiSquareTest([referenceCounts, currentCounts])
                result.decide(statistic: test.statistic, pValue: test.pValue, alpha: alpha)
            case .jensenShannon:
                result.decide(distance: DriftDistances.jensenShannon(referenceCounts, currentCounts), threshold: settings.jensenShannon)
            default:
                result.decidePSI(settings.psi)
            }
            // The category whose share moved most.
            let referenceTotal = max(referenceCounts.reduce(0, +), 1), currentTotal = max(currentCounts.reduce(0, +), 1)
            var moved: (name: String, from: Double, to: Double)?
            let names = summary.values + [summary.other > 0 ? "(other)" : "(unseen)"]
            for position in names.indices {
                let from = referenceCounts[position] / referenceTotal, to = currentCounts[position] / currentTotal
                if abs(to - from) > abs((moved?.to ?? 0) - (moved?.from ?? 0)) { moved = (names[position], from, to) }
            }
            if let moved { result.change = "'\(moved.name)' \(formatShare(moved.from)) → \(formatShare(moved.to))" }
            if let unseenShare = result.unseenShare, unseenShare > settings.unseenCategories {
                warnings.append("\(formatShare(unseenShare)) of values in categories training never saw (\(result.unseenValues.map { "'\($0)'" }.joined(separator: ", ")))")
            }
        }
        if result.drift {
            let measured = result.pValue.map { "p = \(number($0)) < \(number(result.threshold))" } ?? "\(number(result.statistic)) > \(number(result.threshold))"
            result.reasons.append("\(choice.method.rawValue) \(measured)")
            result.status = .alert
        }
        if choice.method != .psi, let psi = result.psi, psi >= settings.psi {
            warnings.append("psi \(number(psi)) ≥ \(number(settings.psi))")
        }
        if result.missingShare - result.referenceMissingShare > settings.missingIncrease {
            warnings.append("missing \(formatShare(result.referenceMissingShare)) → \(formatShare(result.missingShare))")
        }
        if result.typeErrors > 0 { warnings.append("\(result.typeErrors) value\(result.typeErrors == 1 ? "" : "s") of the wrong type") }
        result.reasons += warnings
        if !warnings.isEmpty && result.status == .ok { result.status = .warning }
        return result
    }

    static func share(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }
}

extension ColumnDrift {
    /// A test: drift when the p-value is under `alpha`.
    mutating func decide(statistic: Double, pValue: Double, alpha: Double) {
        self.statistic = statistic
        self.pValue = pValue
        threshold = alpha
        drift = pValue < alpha
    }

    /// A distance: drift when it is past `threshold`.
    mutating func decide(distance: Double, threshold: Double) {
        statistic = distance
        self.threshold = threshold
        drift = distance > threshold
    }

    /// PSI as the deciding statistic: drift from the threshold on (the PSI convention).
    mutating func decidePSI(_ threshold: Double) {
        statistic = psi ?? .nan
        self.threshold = threshold
        drift = statistic >= threshold
    }
}

/// "12.5%".
func formatShare(_ share: Double) -> String {
    String(format: "%.1f%%", share * 100)
}

/// Four significant digits, plain where that reads better.
func number(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    if value != 0 && (abs(value) < 1e-3 || abs(value) >= 1e6) { return String(format: "%.3g", value) }
    return String(format: "%.4g", value)
}
