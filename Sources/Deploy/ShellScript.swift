import Foundation

/// Renders a deployment's steps as a bash script that does what `runner deploy --apply`
/// does: prints each command before running it, stops at the first failure (`set -e`),
/// skips what a lookup found. Clean under shellcheck (tested).
public enum ShellScript {
    /// How the script sets a variable runner sets before the steps (`DEPLOY_DIR`, ...).
    public struct Preamble: Sendable {
        public var name: String
        /// A bash expression (already quoted).
        public var expression: String
        public var comment: String

        public init(_ name: String, _ expression: String, _ comment: String) {
            self.name = name
            self.expression = expression
            self.comment = comment
        }
    }

    public static func render(header: [String], preamble: [Preamble], steps: [CommandStep], outputs: [String] = []) -> String {
        var lines = ["#!/usr/bin/env bash"]
        lines += header.map { "# " + $0 }
        lines += ["set -euo pipefail", ""]
        for entry in preamble {
            lines.append("# \(entry.comment)")
            lines.append("\(entry.name)=\(entry.expression)")
        }
        lines += [
            "",
            "# Prints a command (quoted as the shell reads it) on stderr, then runs it.",
            "run() {",
            "  printf '+' >&2",
            "  printf ' %q' \"$@\" >&2",
            "  printf '\\n' >&2",
            "  \"$@\"",
            "}",
            "",
            "# A lookup found something: not empty, None (aws), null or false.",
            "is_set() {",
            "  case \"${1:-}\" in",
            "    \"\" | None | null | false | \"[]\") return 1 ;;",
            "    *) return 0 ;;",
            "  esac",
            "}",
        ]
        for (index, step) in steps.enumerated() {
            lines.append("")
            lines.append("# \(index + 1). \(step.summary)")
            var command = "run " + step.arguments.map(quote).joined(separator: " ")
            if let capture = step.capture { command = "\(capture)=$(\(command))" }
            if let condition = step.when {
                lines += ["if is_set \"${\(condition):-}\"; then", "  " + command, "fi"]
            } else if let condition = step.unless {
                lines += ["if ! is_set \"${\(condition):-}\"; then", "  " + command, "fi"]
            } else {
                lines.append(command)
            }
        }
        if !outputs.isEmpty {
            lines.append("")
            lines.append("# What this deployment found or created, for the record.")
            for name in outputs { lines.append("printf '%s=%s\\n' \(name) \"${\(name)}\"") }
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// A word bash reads as itself without quotes.
    static func isPlain(_ word: String) -> Bool {
        !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:=,+@%".contains($0)) }
    }

    /// One word as bash reads it back unchanged; `${NAME}` references stay expansions.
    public static func quote(_ word: String) -> String {
        if Variables.references(in: word).isEmpty {
            if isPlain(word) { return word }
            // Backquotes and dollars (JMESPath literals) read better to shellcheck escaped
            // in double quotes than inside single quotes, where it suspects a missed expansion.
            if word.contains("`") || word.contains("$") { return "\"" + escapeInDoubleQuotes(Substring(word)) + "\"" }
            return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        var result = "\""
        var rest = Substring(word)
        while let start = rest.range(of: "${"), let end = rest[start.upperBound...].firstIndex(of: "}") {
            result += escapeInDoubleQuotes(rest[..<start.lowerBound])
            result += "${" + rest[start.upperBound..<end] + "}"
            rest = rest[rest.index(after: end)...]
        }
        return result + escapeInDoubleQuotes(rest) + "\""
    }

    private static func escapeInDoubleQuotes(_ text: Substring) -> String {
        var result = ""
        for character in text {
            if "\"\\$`".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}

extension ShellScript {
    /// A command as one line a shell reads back unchanged (for messages).
    public static func commandLine(_ arguments: [String]) -> String {
        arguments.map { word in isPlain(word) ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    }
}
