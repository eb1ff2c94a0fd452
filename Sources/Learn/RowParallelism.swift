import Tabular

/// When a boosting fit's passes over every row (derivatives, node-order copies, score
/// updates) are worth spreading over threads: below this many rows, starting the threads
/// costs more than the pass. One place, so the passes agree.
enum RowParallelism {
    static let minimumRows = 20_000

    /// Threads for a pass over `rows` rows.
    static func threads(rows: Int, available: Int) -> Int {
        rows >= minimumRows ? available : 1
    }

    /// `rows` cut into one range per thread the pass gets.
    static func ranges(rows: Int, available: Int) -> [Range<Int>] {
        ParallelWork.ranges(count: rows, parts: threads(rows: rows, available: available))
    }
}
