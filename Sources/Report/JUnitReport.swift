import Engine
import Foundation
import Learn

/// The model tests as JUnit XML, the format GitLab (`artifacts:reports:junit`), GitHub
/// Actions reporters and Jenkins read: one testsuite per experiment, one testcase per test,
/// a `<failure>` saying what was measured and what was required.
public enum JUnitReport {
    public static func xml(_ results: RunResults) -> String {
        let tests = results.tests ?? []
        let failures = tests.filter { $0.passed == false }.count
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        lines.append(#"<testsuites name="runner" tests="\#(tests.count)" failures="\#(failures)" errors="0">"#)
        lines.append(#"  <testsuite name="\#(escape(results.experiment))" tests="\#(tests.count)" failures="\#(failures)" errors="0" skipped="0" timestamp="\#(escape(results.started))" hostname="runner">"#)
        lines.append(#"    <properties>"#)
        for (name, value) in [("run", results.runID), ("model", results.best.model), ("spec_digest", results.spec.digest), ("data_digest", results.data.digest),
                              ("runner_version", results.runnerVersion)] {
            lines.append(#"      <property name="\#(name)" value="\#(escape(value))"/>"#)
        }
        lines.append(#"    </properties>"#)
        for test in tests {
            let name = "test \(test.number) \(test.kind): \(test.title)"
            let open = #"    <testcase classname="runner.\#(escape(results.experiment))" name="\#(escape(name))" time="0">"#
            let output = (test.checks.map(\.text) + test.notes).joined(separator: "\n")
            if test.passed == false {
                let message = test.failures.map(\.text).joined(separator: "; ")
                lines.append(open)
                lines.append(#"      <failure message="\#(escape(message))" type="\#(escape(test.kind))">\#(escape(output))</failure>"#)
                lines.append("    </testcase>")
            } else {
                lines.append(open)
                lines.append("      <system-out>\(escape(output))</system-out>")
                lines.append("    </testcase>")
            }
        }
        lines.append("  </testsuite>")
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// XML text and attribute escaping; characters XML 1.0 forbids become U+FFFD.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n", "\t", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) {
                    result += "\u{FFFD}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
