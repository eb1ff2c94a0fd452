import Tabular

/// A preprocessing step after `fit`: the learned state, as plain data (no code), which
/// transforms any table with the same columns.
public enum FittedTransformer: Sendable, Equatable, Codable {
    /// The kind of step that made this state.
    public var kind: PreprocessingKind {
        switch self {
        case .impute: return .impute
        case .dropColumns: return .dropMissing
        case .oneHot: return .oneHot
        case .ordinal: return .ordinal
        case .scale: return .scale
        }
    }

    /// The spec's name for the step that made this state.
    public var kindName: String { kind.name }

    case impute(columns: [String], fills: [FillValue])
    case dropColumns([String])
    case oneHot(columns: [OneHotColumn], ignoreUnknown: Bool)
    case ordinal(columns: [String], categories: [[String]], unknownValue: Double?)
    case scale(columns: [String], offsets: [Double], scales: [Double])

    /// One encoded column: its categories in output order, and which one (if any) is dropped.
    public struct OneHotColumn: Sendable, Equatable, Codable {
        public var name: String
        public var categories: [String]
        public var droppedIndex: Int?
    }

    /// The number of categories of each column an ordinal step leaves as category codes
    /// (0..<count) for the model, after all `steps`: a column a later step rewrites, drops or
    /// encodes is no longer codes. Native categorical splits read these.
    public static func categoryCounts(after steps: [FittedTransformer]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for step in steps {
            switch step {
            case .ordinal(let columns, let categories, _):
                for (index, name) in columns.enumerated() { counts[name] = categories[index].count }
            case .impute(let columns, _), .scale(let columns, _, _), .dropColumns(let columns):
                for name in columns { counts[name] = nil }
            case .oneHot(let columns, _):
                for column in columns { counts[column.name] = nil }
            }
        }
        return counts
    }

    /// Each step replaces its columns in one pass and builds the table once: a wide table
    /// (thousands of columns) costs linear time, not a rebuild per column.
    public func transform(_ table: Table) throws(LearnError) -> Table {
        switch self {
        case .impute(let columns, let fills):
            return try table.replacing(columns) { index, column throws(LearnError) in try Self.fill(column, with: fills[index]) }
        case .dropColumns(let names):
            return table.dropping(columns: Set(names))
        case .oneHot(let columns, let ignoreUnknown):
            return try Self.oneHot(table, columns, ignoreUnknown: ignoreUnknown)
        case .ordinal(let columns, let categories, let unknownValue):
            return try table.replacing(columns) { index, column throws(LearnError) in
                try Self.ordinal(column, order: categories[index], unknownValue: unknownValue)
            }
        case .scale(let columns, let offsets, let scales):
            return try table.replacing(columns) { index, column throws(LearnError) in
                guard var values = column.numericValues else {
                    throw LearnError.data("scale needs numbers, and column '\(column.name)' is categorical; encode it first with one_hot or ordinal")
                }
                let offset = offsets[index], scale = scales[index]
                values.withUnsafeMutableBufferPointer { buffer in
                    for row in buffer.indices { buffer[row] = (buffer[row] - offset) / scale }
                }
                return Column(name: column.name, numeric: values)
            }
        }
    }

    private static func fill(_ column: Column, with fill: FillValue) throws(LearnError) -> Column {
        switch (column.storage, fill) {
        case (.numeric(var values), .number(let number)):
            for row in values.indices where values[row].isNaN { values[row] = number }
            return Column(name: column.name, numeric: values, kind: column.kind)
        case (.categorical(var categorical), .text(let text)):
            guard categorical.codes.contains(CategoricalColumn.missing) else { return column }
            var code = categorical.categories.firstIndex(of: text).map(Int32.init)
            if code == nil {
                code = Int32(categorical.categories.count)
                categorical.categories.append(text)
            }
            for row in categorical.codes.indices where categorical.codes[row] == CategoricalColumn.missing {
                categorical.codes[row] = code!
            }
            return Column(name: column.name, categorical: categorical)
        case (.numeric, .text(let text)):
            throw LearnError.data("column '\(column.name)' is numeric here but was text when the imputer learned '\(text)' for it")
        case (.categorical, .number):
            throw LearnError.data("column '\(column.name)' is text here but was numeric when the imputer was fitted")
        }
    }

    private static func oneHot(_ table: Table, _ specs: [OneHotColumn], ignoreUnknown: Bool) throws(LearnError) -> Table {
        var encodedAt: [Int: [Column]] = [:]
        for spec in specs {
            guard let position = table.index(of: spec.name) else {
                throw LearnError.missingColumn(column: spec.name, message: "column '\(spec.name)' is missing from the input")
            }
            encodedAt[position] = try oneHot(table.columns[position], spec, ignoreUnknown: ignoreUnknown)
        }
        var columns: [Column] = []
        columns.reserveCapacity(table.columnCount + encodedAt.values.reduce(0) { $0 + $1.count })
        for (position, column) in table.columns.enumerated() {
            if let encoded = encodedAt[position] { columns += encoded } else { columns.append(column) }
        }
        do {
            return try Table(columns: columns)
        } catch {
            throw LearnError.data("one-hot encoding made a column name that already exists: \(error.description); rename the column")
        }
    }

    private static func oneHot(_ column: Column, _ spec: OneHotColumn, ignoreUnknown: Bool) throws(LearnError) -> [Column] {
        let lookup = Dictionary(uniqueKeysWithValues: spec.categories.enumerated().map { ($1, $0) })
        var outputs = [[Double]](repeating: [Double](repeating: 0, count: column.count), count: spec.categories.count)
        for row in 0..<column.count {
            let key = CategoryKey.text(of: column, at: row)
            guard let index = lookup[key] else {
                if ignoreUnknown { continue }
                if column.isMissing(at: row) {
                    throw LearnError.unseenCategory(row: row, column: spec.name, value: key, message: "input row \(row + 1), column '\(spec.name)': the value is missing, and training saw no missing values in this column; send a value, impute the column before one_hot, or set handle_unknown: ignore on the one_hot step")
                }
                throw LearnError.unseenCategory(row: row, column: spec.name, value: key, message: "input row \(row + 1), column '\(spec.name)': the value '\(key)' was not seen in training; set handle_unknown: ignore on its one_hot step to encode unseen values as all zeros")
            }
            outputs[index][row] = 1
        }
        var encoded: [Column] = []
        for (index, category) in spec.categories.enumerated() where index != spec.droppedIndex {
            encoded.append(Column(name: "\(spec.name)_\(category)", numeric: outputs[index]))
        }
        return encoded
    }

    private static func ordinal(_ column: Column, order: [String], unknownValue: Double?) throws(LearnError) -> Column {
        let lookup = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, Double($0)) })
        var values = [Double](repeating: .nan, count: column.count)
        for row in 0..<column.count where !column.isMissing(at: row) {
            let key = CategoryKey.text(of: column, at: row)
            if let code = lookup[key] {
                values[row] = code
            } else if let unknownValue {
                values[row] = unknownValue
            } else {
                throw LearnError.unseenCategory(row: row, column: column.name, value: key, message: "input row \(row + 1), column '\(column.name)': the value '\(key)' was not seen in training; list it in the ordinal step's categories, or set handle_unknown: use_encoded_value")
            }
        }
        return Column(name: column.name, numeric: values)
    }
}

/// Category text of a cell: the string for categorical columns, the number's shortest text
/// for numeric ones, "nan" for a missing value (scikit-learn's missing category).
public enum CategoryKey {
    /// The category a missing value encodes as, here and in exported graphs.
    public static let missing = "nan"

    static func text(of column: Column, at row: Int) -> String {
        column.text(at: row) ?? missing
    }
}

extension Table {
    /// The table with one column replaced by `transform`'s result.
    /// The table with each named column replaced by `transform(indexInNames, column)`; the
    /// names stay the same, so the table is built once without new checks.
    func replacing(_ names: [String], _ transform: (Int, Column) throws(LearnError) -> Column) throws(LearnError) -> Table {
        var columns = self.columns
        for (index, name) in names.enumerated() {
            guard let position = self.index(of: name) else { throw LearnError.missingColumn(column: name, message: "column '\(name)' is missing from the input") }
            columns[position] = try transform(index, columns[position])
        }
        return try! Table(columns: columns)
    }
}
