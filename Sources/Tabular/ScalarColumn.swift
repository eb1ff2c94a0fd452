/// One scalar value of a JSON document as read: a JSON Lines field, or a field of the records
/// a prediction server receives. Numbers keep their text, so that a categorical column keeps
/// "007" as written.
public enum ScalarValue: Sendable, Equatable {
    case missing
    case number(Double, text: String?)
    case bool(Bool)
    case string(String)
}

/// A value that does not fit its column's type: `row` counts from 0, `message` names the column.
public struct ScalarColumnError: Error, Sendable, Equatable {
    public var row: Int
    public var message: String
}

extension Column {
    /// A column from JSON scalars, by the rules of JSON Lines files: `null`, an absent field and
    /// NA tokens in strings are missing; numbers (and strings that parse as numbers) fill a
    /// numeric column, true/false a boolean one; a categorical column takes any scalar as text.
    /// `kind` nil infers the type (numbers only: numeric; booleans only: boolean; else categorical).
    public static func fromScalars(name: String, kind: ColumnKind?, values: [ScalarValue], naValues: Set<String>) throws(ScalarColumnError) -> Column {
        func isMissing(_ value: ScalarValue) -> Bool {
            switch value {
            case .missing: return true
            case .string(let text): return naValues.contains(text)
            default: return false
            }
        }
        let kind = kind ?? inferKind(values, isMissing: isMissing)
        switch kind {
        case .numeric, .boolean:
            var numbers = [Double]()
            numbers.reserveCapacity(values.count)
            let parser = NumberParser()
            for (row, value) in values.enumerated() {
                if isMissing(value) { numbers.append(.nan); continue }
                switch (kind, value) {
                case (.numeric, .number(let number, _)): numbers.append(number)
                case (.numeric, .string(let text)):
                    let parsed = Array(text.utf8).withUnsafeBufferPointer { parser.parse($0) }
                    guard let parsed else { throw ScalarColumnError(row: row, message: "column '\(name)' is numeric but this value is not a number") }
                    numbers.append(parsed)
                case (.boolean, .bool(let flag)): numbers.append(flag ? 1 : 0)
                default:
                    throw ScalarColumnError(row: row, message: "column '\(name)' is \(kind.rawValue) but this value is not \(kind == .numeric ? "a number" : "true or false")")
                }
            }
            return Column(name: name, numeric: numbers, kind: kind)
        case .categorical:
            return Column(name: name, strings: values.map { value in
                if isMissing(value) { return nil }
                switch value {
                case .string(let text): return text
                case .number(let number, let text): return text ?? formatNumber(number)
                case .bool(let flag): return flag ? "true" : "false"
                case .missing: return nil
                }
            })
        }
    }

    private static func inferKind(_ values: [ScalarValue], isMissing: (ScalarValue) -> Bool) -> ColumnKind {
        var numbers = 0, bools = 0, others = 0
        for value in values where !isMissing(value) {
            switch value {
            case .number: numbers += 1
            case .bool: bools += 1
            default: others += 1
            }
        }
        if others == 0, bools == 0 { return .numeric }
        if others == 0, numbers == 0 { return .boolean }
        return .categorical
    }
}
