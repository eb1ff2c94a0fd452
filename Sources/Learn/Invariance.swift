import Tabular

/// How many predictions change when one input column changes: a text or categorical column
/// is set, in turn, to each value it holds (the largest share counts: "whatever the race,
/// the same prediction"); a numeric column is shuffled among the rows (seeded).
public enum Invariance {
    /// The largest share of rows whose prediction changed (a class label; a value by more than
    /// `tolerance`), and notes naming what changed most.
    public static func changedShare(model: FittedPipeline, features: Table, prediction: Prediction, column: String, tolerance: Double, seed: UInt64, threads: Int) throws(LearnError) -> (Double, [String]) {
        guard let position = features.index(of: column) else { throw LearnError.data("column '\(column)' is not in the rows") }
        let original = features.columns[position]
        let rows = features.rowCount
        guard rows > 0 else { return (0, []) }
        var variants: [(String, [Int])] = []
        if original.kind == .numeric {
            var generator = SeededGenerator(seed: seed, stream: "invariance \(column)")
            var order = Array(0..<rows)
            generator.shuffle(&order)
            variants.append(("its values shuffled among the rows", order))
        } else {
            // One representative row per value, in the order values first appear.
            var seen: Set<String> = []
            for row in 0..<rows {
                guard let text = original.text(at: row), !seen.contains(text) else { continue }
                seen.insert(text)
                variants.append(("every row set to '\(text)'", [Int](repeating: row, count: rows)))
            }
        }
        var worst = 0.0, worstName = ""
        for (name, order) in variants {
            var columns = features.columns
            columns[position] = original.taking(rows: order)
            // The same name and length: the table stays well formed.
            let changed = try model.predict(try! Table(columns: columns), threads: threads)
            let count = changedCount(prediction, changed, tolerance: tolerance)
            let share = Double(count) / Double(rows)
            if share > worst || worstName.isEmpty {
                worst = share
                worstName = name
            }
        }
        return (worst, worstName.isEmpty ? [] : ["most changed: \(worstName), \(Wording.number(worst * 100))% of \(rows) rows"])
    }

    private static func changedCount(_ before: Prediction, _ after: Prediction, tolerance: Double) -> Int {
        switch (before, after) {
        case (.classes(let first, _), .classes(let second, _)):
            return zip(first, second).filter { $0 != $1 }.count
        case (.values(let first), .values(let second)):
            return zip(first, second).filter { abs($0 - $1) > tolerance }.count
        default:
            return before.count
        }
    }
}
