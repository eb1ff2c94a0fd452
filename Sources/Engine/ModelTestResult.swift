import Foundation
import Learn
import Spec

/// One measured value of a model test and what it had to meet.
public struct TestCheck: Codable, Sendable, Equatable {
    /// "accuracy", "recall of 'Adelie'", "rows with another class"...
    public var what: String
    public var measured: Double
    /// nil until judged (no_regression learns its bound from the lock after the run).
    public var requirement: Requirement?
    public var passed: Bool?

    public init(what: String, measured: Double, requirement: Requirement?) {
        self.what = what
        self.measured = measured
        self.requirement = requirement
        passed = requirement.map { $0.isMet(by: measured) }
    }

    /// "accuracy 0.8125 (required >= 0.85)".
    public var text: String {
        "\(what) \(Wording.number(measured, digits: 6))" + (requirement.map { " (required \($0))" } ?? "")
    }
}

/// The outcome of one entry of the spec's `tests:`: a test stage's output.
public struct ModelTestResult: Codable, Sendable, Equatable {
    /// 1-based position in the spec's list.
    public var number: Int
    public var kind: String
    /// What was tested, e.g. "metric accuracy >= 0.85 on the test split (69 rows)".
    public var title: String
    public var checks: [TestCheck]
    /// Facts behind the verdict: mismatching examples, the baseline's score, notes.
    public var notes: [String]
    /// nil until judged.
    public var passed: Bool?

    public init(number: Int, kind: String, title: String, checks: [TestCheck], notes: [String] = []) {
        self.number = number
        self.kind = kind
        self.title = title
        self.checks = checks
        self.notes = notes
        passed = checks.contains { $0.passed == nil } ? nil : checks.allSatisfy { $0.passed == true }
    }

    /// The checks that failed.
    public var failures: [TestCheck] { checks.filter { $0.passed == false } }

    /// A no_regression result judged against the metrics the spec's lock recorded (`lock`
    /// nil: no lock yet, so nothing to regress from and the test passes, saying so).
    public func judged(check: ModelCheck, lock: [String: Double]?) -> ModelTestResult {
        guard passed == nil, case .noRegression(let metric?, let maxDrop) = check else { return self }
        var result = self
        for index in result.checks.indices where result.checks[index].requirement == nil {
            guard let reference = lock?[metric.rawValue] else {
                result.checks[index].passed = true
                result.notes.append(lock == nil ? "no lock yet: this run's \(metric.rawValue) becomes the reference" : "the lock records no test \(metric.rawValue): nothing to compare against")
                continue
            }
            let requirement = metric.greaterIsBetter ? Requirement(.atLeast, reference - maxDrop) : Requirement(.atMost, reference + maxDrop)
            result.checks[index].requirement = requirement
            result.checks[index].passed = requirement.isMet(by: result.checks[index].measured)
            result.notes.append("the lock records \(metric.rawValue) \(Wording.number(reference)); at most \(Wording.number(maxDrop)) worse is allowed")
        }
        result.passed = result.checks.allSatisfy { $0.passed == true }
        return result
    }
}
