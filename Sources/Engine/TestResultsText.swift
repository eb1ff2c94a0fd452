import Foundation
import Learn

extension RunResults {
    /// One line per model test ("ok" or "FAIL", what it checked, and for a failure what was
    /// measured against what was required), then the count; nil without tests.
    public var testsText: String? {
        guard let tests else { return nil }
        var lines: [String] = []
        for test in tests {
            if test.passed == false {
                lines.append("FAIL test \(test.number) \(test.kind): \(test.title)")
                for failure in test.failures { lines.append("     \(failure.text)") }
                for note in test.notes { lines.append("     \(note)") }
            } else {
                lines.append("ok   test \(test.number) \(test.kind): \(test.title)")
            }
        }
        let failed = tests.filter { $0.passed == false }.count
        var summary = "tests: \(tests.count - failed) passed, \(failed) failed"
        if failed > 0 {
            summary += failedTestsAllowed == true ? " (packaged anyway: --allow-failed-tests)" : ""
        }
        return (lines + [summary]).joined(separator: "\n")
    }
}
