/// A hyperparameter value as written in the spec.
public enum ParamValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return "\(value)"
        case .string(let value): return value
        }
    }

    /// The value as a number, when it is one (ints widen to doubles).
    public var number: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else { self = .string(try container.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }
}

/// One form a hyperparameter may take; a parameter accepts one or more forms.
public enum ParamForm: Sendable, Equatable {
    case null
    case bool
    /// An integer within the closed range.
    case int(ClosedRange<Int>)
    /// A real number between the bounds; `open` bounds exclude the end points. Integers are accepted.
    case real(lower: Double, upper: Double, lowerOpen: Bool, upperOpen: Bool)
    case choice([String])

    public func accepts(_ value: ParamValue) -> Bool {
        switch (self, value) {
        case (.null, .null), (.bool, .bool): return true
        case (.int(let range), .int(let number)): return range.contains(number)
        case (.real(let lower, let upper, let lowerOpen, let upperOpen), _):
            guard let number = value.number, number.isFinite else { return false }
            let aboveLower = lowerOpen ? number > lower : number >= lower
            let belowUpper = upperOpen ? number < upper : number <= upper
            return aboveLower && belowUpper
        case (.choice(let options), .string(let text)): return options.contains(text)
        default: return false
        }
    }

    public var phrase: String {
        switch self {
        case .null: return "null"
        case .bool: return "true or false"
        case .int(let range):
            if range.upperBound == Int.max { return "an integer >= \(range.lowerBound)" }
            return "an integer from \(range.lowerBound) to \(range.upperBound)"
        case .real(let lower, let upper, let lowerOpen, let upperOpen):
            let low = "\(lowerOpen ? ">" : ">=") \(formatBound(lower))"
            if upper == .infinity { return "a number \(low)" }
            return "a number \(low) and \(upperOpen ? "<" : "<=") \(formatBound(upper))"
        case .choice(let options): return Wording.list(options)
        }
    }

    private func formatBound(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}

/// A hyperparameter a model type understands, with scikit-learn's name and default.
public struct ParamSpec: Sendable {
    public var name: String
    public var forms: [ParamForm]
    /// Defaults for classification and regression, which differ for a few parameters.
    public var classificationDefault: ParamValue
    public var regressionDefault: ParamValue
    public var summary: String

    public init(_ name: String, _ forms: [ParamForm], default value: ParamValue, regression: ParamValue? = nil, _ summary: String) {
        self.name = name
        self.forms = forms
        self.classificationDefault = value
        self.regressionDefault = regression ?? value
        self.summary = summary
    }

    public func accepts(_ value: ParamValue) -> Bool { forms.contains { $0.accepts(value) } }

    public var expectation: String {
        let phrases = forms.map(\.phrase)
        guard phrases.count > 1 else { return phrases.first ?? "" }
        return phrases.dropLast().joined(separator: ", ") + " or " + phrases.last!
    }

    public func defaultValue(for task: LearningTask) -> ParamValue {
        task == .classification ? classificationDefault : regressionDefault
    }
}

extension ParamForm {
    public static let positive = ParamForm.real(lower: 0, upper: .infinity, lowerOpen: true, upperOpen: false)
    public static let nonNegative = ParamForm.real(lower: 0, upper: .infinity, lowerOpen: false, upperOpen: false)
    public static let fraction = ParamForm.real(lower: 0, upper: 1, lowerOpen: true, upperOpen: false)
    public static let positiveInt = ParamForm.int(1...Int.max)
    /// The bound of parameters that count rows or features: far above any table runner reads
    /// (2 GiB files), low enough that no count overflows when the learners add to it.
    public static let rowCountLimit = 1_000_000_000
}

/// Phrasing shared by messages.
public enum Wording {
    /// "'a', 'b' or 'c'".
    public static func list(_ words: [String], conjunction: String = "or") -> String {
        let quoted = words.map { "'\($0)'" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " \(conjunction) " + quoted.last!
    }

    /// "a=1, b=x": parameter names sorted, for labels and messages.
    public static func keyValues(_ values: [String: String], separator: String = ", ") -> String {
        values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: separator)
    }
}
