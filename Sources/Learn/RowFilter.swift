import Tabular

/// `drop_missing` along rows: which rows to keep. Applied to the whole data before splitting,
/// since it learns nothing and no model can drop rows at prediction time.
public enum RowFilter {
    /// Rows whose share of missing values among `columns` is at most `threshold`.
    public static func keptRows(_ table: Table, columns: ColumnSelection, threshold: Double) throws(LearnError) -> [Int] {
        let names = try columns.resolve(in: table)
        guard !names.isEmpty else { return Array(0..<table.rowCount) }
        let selected = names.map { table[$0]! }
        return (0..<table.rowCount).filter { row in
            let missing = selected.reduce(0) { $0 + ($1.isMissing(at: row) ? 1 : 0) }
            return Double(missing) / Double(selected.count) <= threshold
        }
    }
}
