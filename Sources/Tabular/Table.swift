/// A rectangular, column-oriented table. Columns have unique names and equal lengths.
public struct Table: Sendable, Equatable {
    public private(set) var columns: [Column]
    public let rowCount: Int
    /// Column positions by name: lookups stay constant-time on tables thousands of columns wide.
    private let positions: [String: Int]

    public init(columns: [Column]) throws(TableError) {
        let rowCount = columns.first?.count ?? 0
        var positions: [String: Int] = [:]
        positions.reserveCapacity(columns.count)
        for (index, column) in columns.enumerated() {
            guard positions.updateValue(index, forKey: column.name) == nil else { throw .duplicateColumn(column.name) }
            guard column.count == rowCount else {
                throw .lengthMismatch(column: column.name, expected: rowCount, actual: column.count)
            }
        }
        self.columns = columns
        self.rowCount = rowCount
        self.positions = positions
    }

    public var columnCount: Int { columns.count }
    public var columnNames: [String] { columns.map(\.name) }

    public func index(of name: String) -> Int? { positions[name] }

    public subscript(name: String) -> Column? { index(of: name).map { columns[$0] } }

    /// A table with only the given rows, in the given order.
    public func taking(rows: [Int]) -> Table {
        // Row selection cannot change names or make lengths differ.
        try! Table(columns: columns.map { $0.taking(rows: rows) })
    }

    /// A table without the named columns; unknown names are ignored.
    public func dropping(columns names: Set<String>) -> Table {
        try! Table(columns: columns.filter { !names.contains($0.name) })
    }

    /// A table with only the named columns, in the order given.
    public func selecting(columns names: [String]) throws(TableError) -> Table {
        var selected: [Column] = []
        for name in names {
            guard let column = self[name] else { throw .unknownColumn(name) }
            selected.append(column)
        }
        return try Table(columns: selected)
    }
}

public enum TableError: Error, Equatable, CustomStringConvertible {
    case duplicateColumn(String)
    case lengthMismatch(column: String, expected: Int, actual: Int)
    case unknownColumn(String)

    public var description: String {
        switch self {
        case .duplicateColumn(let name): return "duplicate column name '\(name)'"
        case .lengthMismatch(let name, let expected, let actual):
            return "column '\(name)' has \(actual) values, expected \(expected)"
        case .unknownColumn(let name): return "no column named '\(name)'"
        }
    }
}
