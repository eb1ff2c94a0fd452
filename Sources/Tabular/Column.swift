/// The logical type of a column, as inferred from the data or set by the spec.
public enum ColumnKind: String, Sendable, Codable, CaseIterable {
    /// Real numbers; missing values are NaN.
    case numeric
    /// Strings from a finite set, stored as dictionary codes.
    case categorical
    /// true/false in any case (never yes/no, which stay text); stored as 0/1 numbers so
    /// models can use it directly.
    case boolean
}

/// Dictionary-encoded strings: `codes[i]` indexes `categories`, or is `CategoricalColumn.missing`.
public struct CategoricalColumn: Sendable, Equatable {
    public static let missing: Int32 = -1
    public var codes: [Int32]
    /// Distinct values in order of first appearance.
    public var categories: [String]

    public init(codes: [Int32], categories: [String]) {
        self.codes = codes
        self.categories = categories
    }

    public func value(at row: Int) -> String? {
        let code = codes[row]
        return code == Self.missing ? nil : categories[Int(code)]
    }
}

/// Column contents. Numeric (and boolean) data is one contiguous `[Double]` with NaN for missing.
/// Equality is bit-for-bit, so missing values (NaN) compare equal and reproducibility checks
/// can compare whole tables.
public enum ColumnStorage: Sendable, Equatable {
    case numeric([Double])
    case categorical(CategoricalColumn)

    public static func == (lhs: ColumnStorage, rhs: ColumnStorage) -> Bool {
        switch (lhs, rhs) {
        case (.numeric(let left), .numeric(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { $0.bitPattern == $1.bitPattern }
        case (.categorical(let left), .categorical(let right)):
            return left == right
        default:
            return false
        }
    }
}

public struct Column: Sendable, Equatable {
    public var name: String
    public var kind: ColumnKind
    public var storage: ColumnStorage

    public init(name: String, numeric values: [Double], kind: ColumnKind = .numeric) {
        precondition(kind != .categorical, "numeric storage cannot hold a categorical column")
        self.name = name
        self.kind = kind
        self.storage = .numeric(values)
    }

    public init(name: String, categorical: CategoricalColumn) {
        self.name = name
        self.kind = .categorical
        self.storage = .categorical(categorical)
    }

    /// Builds a categorical column from optional strings (nil = missing).
    public init(name: String, strings: [String?]) {
        var index: [String: Int32] = [:]
        var categories: [String] = []
        var codes = [Int32]()
        codes.reserveCapacity(strings.count)
        for value in strings {
            guard let value else { codes.append(CategoricalColumn.missing); continue }
            if let code = index[value] {
                codes.append(code)
            } else {
                let code = Int32(categories.count)
                index[value] = code
                categories.append(value)
                codes.append(code)
            }
        }
        self.init(name: name, categorical: CategoricalColumn(codes: codes, categories: categories))
    }

    public var count: Int {
        switch storage {
        case .numeric(let values): return values.count
        case .categorical(let column): return column.codes.count
        }
    }

    /// The numeric values, or nil for a categorical column.
    public var numericValues: [Double]? {
        if case .numeric(let values) = storage { return values }
        return nil
    }

    public var categoricalValues: CategoricalColumn? {
        if case .categorical(let column) = storage { return column }
        return nil
    }

    public func isMissing(at row: Int) -> Bool {
        switch storage {
        case .numeric(let values): return values[row].isNaN
        case .categorical(let column): return column.codes[row] == CategoricalColumn.missing
        }
    }

    public var missingCount: Int {
        switch storage {
        case .numeric(let values):
            return values.withUnsafeBufferPointer { buffer in
                var missing = 0
                for value in buffer where value.isNaN { missing += 1 }
                return missing
            }
        case .categorical(let column):
            return column.codes.withUnsafeBufferPointer { buffer in
                var missing = 0
                for code in buffer where code == CategoricalColumn.missing { missing += 1 }
                return missing
            }
        }
    }

    /// A copy holding only the given rows, in the given order.
    public func taking(rows: [Int]) -> Column {
        var copy = self
        switch storage {
        case .numeric(let values):
            copy.storage = .numeric(values.withUnsafeBufferPointer { source in rows.map { source[$0] } })
        case .categorical(let column):
            let codes = column.codes.withUnsafeBufferPointer { source in rows.map { source[$0] } }
            copy.storage = .categorical(CategoricalColumn(codes: codes, categories: column.categories))
        }
        return copy
    }

    /// The value as text, the way it would be written back to a CSV (nil when missing).
    public func text(at row: Int) -> String? {
        switch storage {
        case .numeric(let values):
            let value = values[row]
            if value.isNaN { return nil }
            if kind == .boolean { return value == 0 ? "false" : "true" }
            return formatNumber(value)
        case .categorical(let column):
            return column.value(at: row)
        }
    }
}

/// Shortest round-tripping text for a number, without a trailing ".0" on integers.
public func formatNumber(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
}
