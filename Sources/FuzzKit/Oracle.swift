/// What every runner command must do with any input: finish within the limit, end with a
/// documented exit code (0, 1 or 2; never a signal), locate spec errors, word errors itself,
/// and print no NaN or infinity as a result.
public enum Oracle {
    /// Texts that only appear when a library's error or a runtime failure reaches the user.
    static let rawMarkers = [
        "Fatal error", "Swift runtime failure", "Stack dump", "DecodingError", "EncodingError", "Error Domain=",
        "The data couldn", "The operation could not be completed", "SQLite error", "ArchiveError", "missingEndOfCentralDirectory",
        "keyNotFound(", "typeMismatch(", "dataCorrupted(", "valueNotFound(", "CodingKeys(", "Optional(",
    ]

    public static func judge(_ command: FuzzCase.Command, _ outcome: ChildProcess.Outcome) -> String? {
        if outcome.timedOut { return "timeout: no result within the time limit" }
        if let signal = outcome.signal { return "signal \(signal): the process crashed or trapped" }
        guard [0, 1, 2].contains(outcome.status) else { return "exit code \(outcome.status): not a documented exit code" }
        for line in outcome.stderr.split(separator: "\n") {
            if let marker = rawMarkers.first(where: { line.contains($0) }) {
                return "raw error text (\(marker)): \(line.prefix(300))"
            }
        }
        if let spec = command.specFile, outcome.status == 2 {
            for line in outcome.stderr.split(separator: "\n") where line.hasPrefix("\(spec): error:") || line.hasPrefix("error:") {
                return "spec error without a position: \(line.prefix(300))"
            }
        }
        if command.finiteOutput, outcome.status == 0, let token = nonFiniteToken(outcome.stdout) {
            return "non-finite number in the output: '\(token)'"
        }
        return nil
    }

    /// A field of the output that reads as NaN or an infinity.
    static func nonFiniteToken(_ text: String) -> String? {
        let separators: Set<Character> = [",", " ", "\t", "\n", "\"", ":", "[", "]", "{", "}"]
        for token in text.split(whereSeparator: { separators.contains($0) }) {
            let lowered = token.lowercased()
            if ["nan", "-nan", "inf", "-inf", "+inf", "infinity", "-infinity"].contains(lowered) { return String(token) }
        }
        return nil
    }
}
