/// Why fitting, transforming or scoring could not go on. Each case is a kind of problem a
/// caller may treat differently (a server answers a missing column or an unseen category
/// with 422 naming the column); the message names the column, class or parameter at fault
/// and says what to change in the spec.
public enum LearnError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data cannot be used as it is: a column's values, the target, too few rows or classes.
    case data(String)
    /// Settings that do not fit together or with this data: a metric for the other task,
    /// more folds than rows, a parameter out of range.
    case settings(String)
    /// The input lacks a column the pipeline needs.
    case missingColumn(column: String, message: String)
    /// A value a fitted encoder did not see in training, under `handle_unknown: error`, in
    /// input row `row` (counted from 0).
    case unseenCategory(row: Int, column: String, value: String, message: String)
    /// A value of new input that a fitted pipeline cannot take (missing where training had
    /// none, infinite), or a row whose output is beyond range: `row` counts from 0, `column`
    /// is nil when no single column is at fault.
    case inputValue(row: Int, column: String?, message: String)

    public var message: String {
        switch self {
        case .data(let message), .settings(let message): return message
        case .missingColumn(_, let message), .unseenCategory(_, _, _, let message), .inputValue(_, _, let message): return message
        }
    }

    public var description: String { message }

    /// The same problem, with `context` put before the message (which fold, which model).
    public func prefixed(_ context: String) -> LearnError {
        switch self {
        case .data(let message): return .data(context + message)
        case .settings(let message): return .settings(context + message)
        case .missingColumn(let column, let message): return .missingColumn(column: column, message: context + message)
        case .unseenCategory(let row, let column, let value, let message): return .unseenCategory(row: row, column: column, value: value, message: context + message)
        case .inputValue(let row, let column, let message): return .inputValue(row: row, column: column, message: context + message)
        }
    }
}
