/// A problem in a data file, located as precisely as the reader knows it (1-based line and column).
public struct DataError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(path: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { locatedMessage(path: path, line: line, column: column, severity: "error", message: message) }
}

/// `path:line:column: severity: message`, the form compilers print and editors jump to;
/// the line and column are left out when unknown.
public func locatedMessage(path: String, line: Int?, column: Int?, severity: String, message: String) -> String {
    var location = path
    if let line {
        location += ":\(line)"
        if let column { location += ":\(column)" }
    }
    return "\(location): \(severity): \(message)"
}
