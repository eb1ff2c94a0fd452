import Learn
import Tabular

/// What a model expects of new data: every input column with its type, the categories seen
/// in training, numeric ranges and whether training saw missing values.
public struct InputSchema: Codable, Sendable, Equatable {
    public struct Field: Codable, Sendable, Equatable {
        public var name: String
        public var kind: ColumnKind
        /// Categorical: the values seen in training, sorted.
        public var categories: [String]?
        /// Numeric and boolean: the smallest and largest training value (nil when all missing).
        public var minimum: Double?
        public var maximum: Double?
        public var missingInTraining: Int
    }

    public var fields: [Field]

    /// The schema of the training features (the pipeline's input columns, in order).
    public init(training table: Table, columns: [String]) {
        fields = columns.compactMap { name in
            guard let column = table[name] else { return nil }
            var field = Field(name: name, kind: column.kind, categories: nil, minimum: nil, maximum: nil, missingInTraining: column.missingCount)
            switch column.storage {
            case .numeric(let values):
                let present = values.filter { !$0.isNaN }
                field.minimum = present.min()
                field.maximum = present.max()
            case .categorical(let categorical):
                let used = Set(categorical.codes.filter { $0 != CategoricalColumn.missing })
                field.categories = used.map { categorical.categories[Int($0)] }.sorted()
            }
            return field
        }
    }

    /// The first structural problem of a decoded schema against the pipeline it describes
    /// (names unique and the pipeline's inputs, categories unique), nil when none.
    public func structuralProblem(inputs: [String]) -> String? {
        var names = Set<String>()
        for field in fields {
            guard names.insert(field.name).inserted else { return "input '\(field.name)' is listed twice" }
            if let categories = field.categories, Set(categories).count != categories.count { return "input '\(field.name)' lists a category twice" }
            if field.minimum?.isNaN == true || field.maximum?.isNaN == true { return "input '\(field.name)' has a range that is not a number" }
        }
        guard names == Set(inputs), fields.count == inputs.count else { return "the inputs do not match the columns the model reads" }
        return nil
    }

    /// Refuses input that lacks columns the model needs; `source` names the input in the
    /// message (a file path, or "request" for rows a server received).
    public func requireColumns(_ present: [String], source: String) throws(BundleError) {
        let available = Set(present)
        let missing = fields.map(\.name).filter { !available.contains($0) }
        guard missing.isEmpty else { throw .missingColumns(path: source, missing: missing, needed: fields.map(\.name)) }
    }

    /// Checks a table already read with `columnKinds` (from a file or a request): every
    /// column the model needs is there; columns it does not use are dropped, with a warning.
    public func conform(_ table: Table, source: String) throws(BundleError) -> (table: Table, warnings: [String]) {
        try requireColumns(table.columnNames, source: source)
        for field in fields {
            guard let column = table[field.name], column.kind != field.kind else { continue }
            throw .inputData(DataError(path: source, message: "column '\(field.name)' holds \(column.kind.rawValue) values, and the model was trained on \(field.kind.rawValue) values"))
        }
        let needed = Set(fields.map(\.name))
        let extra = table.columnNames.filter { !needed.contains($0) }
        guard !extra.isEmpty else { return (table, []) }
        let warning = "\(source): ignoring \(extra.count) column\(extra.count == 1 ? "" : "s") the model does not use: \(extra.joined(separator: ", "))"
        return (table.dropping(columns: Set(extra)), [warning])
    }

    public var columnKinds: [String: ColumnKind] {
        Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0.kind) })
    }
}
