/// The type of a column runner writes into a database table (`runner predict --into`).
public enum OutputColumnType: Sendable {
    case integer, real, text

    var sqliteName: String {
        switch self {
        case .integer: return "INTEGER"
        case .real: return "REAL"
        case .text: return "TEXT"
        }
    }

    var postgresName: String {
        switch self {
        case .integer: return "bigint"
        case .real: return "double precision"
        case .text: return "text"
        }
    }
}

/// A name quoted as an SQL identifier (both SQLite and PostgreSQL double the quote).
func quotedIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
