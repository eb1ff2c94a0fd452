import Foundation
import XCTest
@testable import Deploy

final class ShellScriptTests: XCTestCase {
    /// bash reads every quoted word back as it was, with `${NAME}` expanded.
    func testWordsSurviveBash() throws {
        let words = ["plain", "two words", "it's", "a\"b", "back\\slash", "$HOME", "`date`", "Roles[?RoleName=='x'].Arn", "IpRanges=[{CidrIp=1.2.3.4/32}]",
                     "*", "", "${NAME}/x", "pre ${NAME} $post", "[?FromPort==`8080`]", "tab\there", "ünïcode"]
        let script = "NAME='v a l'\nprintf '%s\\n' " + words.map(ShellScript.quote).joined(separator: " ")
        let result = try ReferenceTools.run(["/bin/bash", "-c", script])
        XCTAssertEqual(result.status, 0, result.output)
        let expected = words.map { $0.replacingOccurrences(of: "${NAME}", with: "v a l") }
        XCTAssertEqual(result.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init), expected)
    }

    func testScriptsDoWhatTheStepsSay() throws {
        let steps = [
            CommandStep("look", ["printf", "%s", ""], capture: "FOUND"),
            CommandStep("create", ["printf", "%s", "made it"], capture: "FOUND", unless: "FOUND", records: true),
            CommandStep("skip", ["false"], unless: "FOUND"),
            CommandStep("use", ["printf", "got %s\\n", "${FOUND}"], when: "FOUND"),
        ]
        let script = ShellScript.render(header: ["test"], preamble: [], steps: steps, outputs: ["FOUND"])
        let result = try ReferenceTools.run(["/bin/bash", "-c", script])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("got made it"), result.output)
        XCTAssertTrue(result.output.contains("+ printf %s made\\ it"), "each command is printed first: \(result.output)")
        XCTAssertTrue(result.output.hasSuffix("FOUND=made it\n"), result.output)
        let failing = ShellScript.render(header: [], preamble: [], steps: [CommandStep("fail", ["false"]), CommandStep("never", ["printf", "reached"])])
        let stopped = try ReferenceTools.run(["/bin/bash", "-c", failing])
        XCTAssertEqual(stopped.status, 1)
        XCTAssertFalse(stopped.output.contains("reached"))
    }
}
