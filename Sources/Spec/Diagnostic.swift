import Tabular
/// A 1-based position in a spec file.
public struct SourceLocation: Sendable, Equatable, Hashable, Codable, Comparable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// One problem found in a spec, printed the way compilers print them so editors can jump to it.
public struct Diagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable {
        case error
        case warning
    }

    public var file: String
    public var location: SourceLocation?
    public var severity: Severity
    public var message: String

    public init(file: String, location: SourceLocation?, severity: Severity = .error, message: String) {
        self.file = file
        self.location = location
        self.severity = severity
        self.message = message
    }

    /// `exp.yaml:12:5: error: unknown key 'modles' (did you mean 'models'?)`
    public var description: String {
        locatedMessage(path: file, line: location?.line, column: location?.column, severity: severity.rawValue, message: message)
    }
}

/// Collects diagnostics while decoding and checking one spec file.
struct DiagnosticLog {
    let file: String
    private(set) var entries: [Diagnostic] = []

    init(file: String) { self.file = file }

    var hasErrors: Bool { entries.contains { $0.severity == .error } }

    mutating func error(_ location: SourceLocation?, _ message: String) {
        entries.append(Diagnostic(file: file, location: location, message: message))
    }

    mutating func append(_ diagnostic: Diagnostic) { entries.append(diagnostic) }

    mutating func warning(_ location: SourceLocation?, _ message: String) {
        entries.append(Diagnostic(file: file, location: location, severity: .warning, message: message))
    }

    /// In file order; problems without a position first.
    var sorted: [Diagnostic] {
        entries.enumerated().sorted { left, right in
            let a = left.element.location ?? SourceLocation(line: 0, column: 0)
            let b = right.element.location ?? SourceLocation(line: 0, column: 0)
            return a == b ? left.offset < right.offset : a < b
        }.map(\.element)
    }
}
