/// Writes a table as CSV the readers read back to the same values: a header, numbers in
/// their shortest exact form, booleans as true/false, missing values as empty fields, and
/// fields with a comma, quote or line break quoted.
public enum CSVWriter {
    public static func text(_ table: Table) -> String {
        var lines = [table.columnNames.map(escape).joined(separator: ",")]
        lines.reserveCapacity(table.rowCount + 1)
        for row in 0..<table.rowCount {
            lines.append(table.columns.map { field($0, row) }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func field(_ column: Column, _ row: Int) -> String {
        column.text(at: row).map(escape) ?? ""
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || field.isEmpty else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
