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

    public var columnKinds: [String: ColumnKind] {
        Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0.kind) })
    }
}
