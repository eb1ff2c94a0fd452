import Foundation
import Learn
import Tabular

extension RunResults {
    /// The leaderboard (every candidate, best first, with each metric's cross-validated
    /// mean) and the winner's test scores, as plain text for terminals, logs and reports.
    public var leaderboardText: String {
        let others = metrics.filter { $0 != scoring }
        var table = TextTable(header: ["rank", "model", "params", scoring, "± std"] + others + ["fit s"])
        table.rightAligned = Set([0] + Array(3..<(6 + others.count)))
        func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "" }
        for candidate in candidates.sorted(by: { $0.rank < $1.rank }) {
            let score = candidate.metrics[scoring]
            table.rows.append(
                ["\(candidate.rank)", candidate.model, Wording.keyValues(candidate.params, separator: " "), format(score?.mean), format(score?.std)]
                    + others.map { format(candidate.metrics[$0]?.mean) }
                    + [String(format: "%.3f", candidate.fitSeconds.reduce(0, +))])
        }
        let test = metrics.map { "\($0) \(format(best.test.metrics[$0]))" }.joined(separator: ", ")
        let params = best.params.isEmpty ? "" : " {" + Wording.keyValues(best.params) + "}"
        return table.render() + "\n\nbest: \(best.model)\(params) — test (\(best.test.rows) rows): \(test)"
    }
}
