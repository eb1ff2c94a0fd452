import Foundation
import Learn
import Tabular

/// A bound a measured value must meet, written `">= 0.85"` in a spec.
public struct Requirement: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Codable, Sendable, CaseIterable {
        case atLeast = ">=", above = ">", atMost = "<=", below = "<"
    }

    public var comparison: Comparison
    public var value: Double

    public init(_ comparison: Comparison, _ value: Double) {
        self.comparison = comparison
        self.value = value
    }

    public func isMet(by measured: Double) -> Bool {
        guard measured.isFinite else { return false }
        switch comparison {
        case .atLeast: return measured >= value
        case .above: return measured > value
        case .atMost: return measured <= value
        case .below: return measured < value
        }
    }

    public var description: String { "\(comparison.rawValue) \(Wording.number(value, digits: 6))" }

    /// `">= 0.85"`, `"<0.1"`; nil when the text is not a comparison with a finite number.
    public static func parse(_ text: String) -> Requirement? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for comparison in [Comparison.atLeast, .atMost, .above, .below] where trimmed.hasPrefix(comparison.rawValue) {
            let number = trimmed.dropFirst(comparison.rawValue.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value.isFinite else { return nil }
            return Requirement(comparison, value)
        }
        return nil
    }
}

/// What a model test checks (`tests:` in the spec; docs/spec.md). Codable: it is the test
/// stage's parameter, so changing a threshold reruns only that test.
public enum ModelCheck: Codable, Sendable, Equatable {
    /// Each metric against its requirement.
    case metric([MetricRequirement])
    /// Per-class precision / recall / F1, for one class or for every class.
    case perClass(label: String?, requirements: [MetricRequirement])
    /// The model's score beats a dummy model's (most frequent class / mean) by more than `margin`.
    case betterThanBaseline(metric: Metric?, margin: Double)
    /// The test-split metric is at most `maxDrop` worse than the one the lock recorded.
    case noRegression(metric: Metric?, maxDrop: Double)
    /// Known inputs get their expected outputs (regression values within `tolerance`; class
    /// probability columns, when the file has them, within `tolerance`).
    case examples(file: String, tolerance: Double)
    /// Changing one input column's values changes at most `maxChanged` of the predictions
    /// (a regression prediction counts as changed beyond `tolerance`).
    case invariance(column: String, maxChanged: Double, tolerance: Double)
    /// The winner's cross-validation fold scores spread by at most `maxStd`.
    case stability(metric: Metric?, maxStd: Double)
    /// The exported ONNX graph predicts what the model predicts, within `tolerance`.
    case onnxAgrees(tolerance: Double)

    public struct MetricRequirement: Codable, Sendable, Equatable {
        /// A `Metric` name, or precision / recall / f1 for per-class checks.
        public var metric: String
        public var requirement: Requirement

        public init(metric: String, requirement: Requirement) {
            self.metric = metric
            self.requirement = requirement
        }
    }

    /// The check with the experiment's scoring metric where the spec named none.
    public func resolved(scoring: Metric) -> ModelCheck {
        switch self {
        case .betterThanBaseline(let metric, let margin): return .betterThanBaseline(metric: metric ?? scoring, margin: margin)
        case .noRegression(let metric, let maxDrop): return .noRegression(metric: metric ?? scoring, maxDrop: maxDrop)
        case .stability(let metric, let maxStd): return .stability(metric: metric ?? scoring, maxStd: maxStd)
        default: return self
        }
    }

    /// The spec key that introduces this kind of test.
    public var kind: String {
        switch self {
        case .metric: return "metric"
        case .perClass: return "per_class"
        case .betterThanBaseline: return "better_than"
        case .noRegression: return "no_regression"
        case .examples: return "examples"
        case .invariance: return "invariance"
        case .stability: return "stability"
        case .onnxAgrees: return "onnx_agrees"
        }
    }

    public static let kinds = ["metric", "per_class", "better_than", "no_regression", "examples", "invariance", "stability", "onnx_agrees"]
    /// Kinds that predict on rows, so they can use another labelled file than the test split.
    public static let kindsTakingData: Set<String> = ["metric", "per_class", "better_than", "invariance"]
}

/// One entry of the spec's `tests:` list.
public struct ModelTestSpec: Sendable {
    public var check: ModelCheck
    /// Where the entry starts, for messages about it.
    public var location: SourceLocation?
    /// `data:`: another labelled file to test on instead of the test split (resolved path).
    public var data: Located<String>?
    /// `data:` as the spec writes it, for messages.
    public var dataWritten: String?
    /// `examples.file`, resolved against the spec's folder.
    public var examplesFile: Located<String>?
    /// Locations of the names in the check, for data checks: metric names, class, column.
    public var metricLocations: [String: SourceLocation?] = [:]
    public var classLocation: SourceLocation?
    public var columnLocation: SourceLocation?

    public init(check: ModelCheck, location: SourceLocation?) {
        self.check = check
        self.location = location
    }
}
