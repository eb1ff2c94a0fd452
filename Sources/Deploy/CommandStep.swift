/// One command of a deployment: the same steps are run by `runner deploy --apply` (without
/// a shell) and written out as the target's shell script, so what the script does and what
/// runner does cannot drift apart.
///
/// Arguments are literal words in which `${NAME}` stands for a variable: one set before
/// anything runs (`DEPLOY_DIR`, `BUNDLE`, `ENGINE`, ...) or one an earlier step captured.
public struct CommandStep: Sendable, Equatable, Codable {
    /// What the step does, printed before it runs.
    public var summary: String
    public var arguments: [String]
    /// The variable that receives the command's standard output (trimmed).
    public var capture: String?
    /// Run only when this variable holds a value (see `Variables.isSet`).
    public var when: String?
    /// Run only when this variable holds no value: the lookup before it found nothing.
    public var unless: String?
    /// The captured value names something the deployment created or uses, which the run
    /// index records and `--destroy` removes.
    public var records: Bool

    public init(_ summary: String, _ arguments: [String], capture: String? = nil, when: String? = nil, unless: String? = nil, records: Bool = false) {
        self.summary = summary
        self.arguments = arguments
        self.capture = capture
        self.when = when
        self.unless = unless
        self.records = records
    }

    /// The program the step runs (its first word).
    public var program: String { arguments.first ?? "" }
}

/// Values of a deployment's variables.
public struct Variables: Sendable, Equatable, Codable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public subscript(name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// Whether `name` holds a value: CLIs answer a lookup that found nothing with an empty
    /// line, `None` (aws), `null` or `false`.
    public func isSet(_ name: String) -> Bool {
        guard let value = values[name] else { return false }
        return !["", "None", "null", "false", "[]"].contains(value)
    }

    /// `text` with every `${NAME}` replaced; a name without a value is an error.
    public func expand(_ text: String) throws(DeployError) -> String {
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw .internalError("unterminated variable in '\(text)'")
            }
            let name = String(rest[start.upperBound..<end])
            guard let value = values[name] else { throw .missingVariable(name, in: text) }
            result += value
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    /// The names `text` refers to.
    public static func references(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${"), let end = rest[start.upperBound...].firstIndex(of: "}") {
            names.append(String(rest[start.upperBound..<end]))
            rest = rest[rest.index(after: end)...]
        }
        return names
    }
}
