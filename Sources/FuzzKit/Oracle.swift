import Foundation

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
        guard (command.statuses ?? [0, 1, 2]).contains(outcome.status) else { return "exit code \(outcome.status): not a documented exit code" }
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
        if command.finiteOutput, outcome.status == 0, let place = nonFiniteResult(outcome.stdout) {
            return "non-finite number in the output: \(place)"
        }
        return nil
    }

    static let nonFinite: Set<String> = ["nan", "-nan", "inf", "-inf", "+inf", "infinity", "-infinity"]

    /// Where a result holds NaN or an infinity: in the scores of `run --json` (non-finite
    /// numbers are the strings "nan", "inf", "-inf" there), or in a numeric column of
    /// `predict`'s CSV. Names a user chose (a model called "inf", a class "nan") are not numbers.
    static func nonFiniteResult(_ text: String) -> String? {
        if text.hasPrefix("{"), let data = text.data(using: .utf8), let json = try? JSONSerialization.jsonObject(with: data) {
            return nonFiniteScore(json, path: "")
        }
        let rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = rows.first else { return nil }
        for (column, name) in header.enumerated() {
            let values = rows.dropFirst().compactMap { column < $0.count ? $0[column] : nil }
            let numeric = name.hasPrefix("proba_") || values.contains { Double($0)?.isFinite == true }
            if numeric, let bad = values.first(where: { nonFinite.contains($0.lowercased()) }) { return "'\(bad)' in column \(name)" }
        }
        return nil
    }

    private static func nonFiniteScore(_ value: Any, path: String) -> String? {
        if let object = value as? [String: Any] {
            for (key, child) in object where key != "params" {
                if let found = nonFiniteScore(child, path: path + "." + key) { return found }
            }
        } else if let array = value as? [Any] {
            for child in array { if let found = nonFiniteScore(child, path: path + "[]") { return found } }
        } else if let text = value as? String, nonFinite.contains(text.lowercased()),
                  ["metrics", ".cv.", "fitSeconds", ".test."].contains(where: { path.contains($0) }) {
            return "'\(text)' at \(path)"
        }
        return nil
    }
}
