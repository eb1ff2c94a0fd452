import Learn
import Yams

/// A scalar as the spec language types it. Only plain (unquoted) scalars can be null, booleans
/// or numbers; anything quoted is a string. Booleans are exactly true/false (any case of the
/// first letter), never yes/no/on/off, so `country: NO` stays text.
enum ScalarValue: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)

    init(_ scalar: Node.Scalar) {
        let text = scalar.string
        guard scalar.style == .plain || scalar.style == .any else {
            self = .string(text)
            return
        }
        switch text {
        case "", "~", "null", "Null", "NULL": self = .null
        case "true", "True", "TRUE": self = .bool(true)
        case "false", "False", "FALSE": self = .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf": self = .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": self = .double(-.infinity)
        case ".nan", ".NaN", ".NAN": self = .double(.nan)
        default:
            let first = text.unicodeScalars.first!
            let looksNumeric = ("0"..."9").contains(first) || first == "-" || first == "+" || first == "."
            if looksNumeric, let value = Int(text) {
                self = .int(value)
            } else if looksNumeric, let value = Double(text), !text.lowercased().contains("n") {
                self = .double(value)
            } else {
                self = .string(text)
            }
        }
    }

    var paramValue: ParamValue {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .int(value)
        case .double(let value): return .double(value)
        case .string(let value): return .string(value)
        }
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        }
    }
}

extension Node {
    var location: SourceLocation? { mark.map { SourceLocation(line: $0.line, column: $0.column) } }

    var scalarValue: ScalarValue? { scalar.map(ScalarValue.init) }

    /// What kind of node this is, for "expected X, found Y" messages.
    var kindName: String {
        switch self {
        case .scalar: return scalarValue?.typeName ?? "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

/// Parses spec text into a YAML node tree, turning syntax errors into located diagnostics.
enum YAMLSource {
    static func parse(_ text: String, file: String) -> Result<Node, Diagnostic> {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return .failure(Diagnostic(file: file, location: SourceLocation(line: 1, column: 1), message: "the spec is empty"))
            }
            return .success(node)
        } catch let error as YamlError {
            return .failure(diagnostic(for: error, file: file))
        } catch {
            return .failure(Diagnostic(file: file, location: nil, message: "cannot parse the spec: \(error)"))
        }
    }

    private static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        func located(_ mark: Mark, _ message: String) -> Diagnostic {
            Diagnostic(file: file, location: SourceLocation(line: mark.line, column: mark.column), message: message)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            return located(mark, message)
        case .reader(let problem, let offset, _, let yaml):
            let location = offset.map { TextLines(yaml).location(ofCharacterOffset: $0, in: yaml) }
            return Diagnostic(file: file, location: location, message: "cannot read the spec: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            let first = SourceLocation(line: context.mark.line, column: context.mark.column)
            if duplicates.count == 1, let again = DuplicateKeyFinder.repeated(duplicates[0], after: first, in: context.text) {
                return Diagnostic(file: file, location: again, message: "duplicate key \(keys) in one mapping (first at line \(first.line), column \(first.column)); each key may appear once")
            }
            return located(context.mark, "duplicate key \(keys) in one mapping; each key may appear once")
        default:
            return Diagnostic(file: file, location: nil, message: "cannot parse the spec: \(error)")
        }
    }
}
