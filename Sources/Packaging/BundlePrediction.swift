import Foundation
import Learn
import Tabular

/// New data checked against a bundle's input schema, and predictions written as CSV.
public enum BundlePrediction {
    /// Reads `path` (CSV or JSON Lines) with the schema's column types, so a value of the
    /// wrong type is an error naming its line and column. A missing column is an error naming
    /// it; extra columns are dropped with one warning.
    public static func readInput(path: String, schema: InputSchema, options base: ReadOptions = ReadOptions()) throws(BundleError) -> (table: Table, warnings: [String]) {
        let header = try columnNames(path: path, options: base)
        let present = Set(header)
        let missing = schema.fields.map(\.name).filter { !present.contains($0) }
        guard missing.isEmpty else {
            let list = missing.map { "'\($0)'" }.joined(separator: ", ")
            throw BundleError("\(path): \(missing.count == 1 ? "column" : "columns") \(list) \(missing.count == 1 ? "is" : "are") missing; the model needs \(schema.fields.map(\.name).joined(separator: ", "))")
        }
        var options = base
        options.columnKinds = schema.columnKinds
        var table: Table
        do {
            table = try TableReader.read(path: path, options: options)
        } catch {
            throw BundleError(error.description)
        }
        var warnings: [String] = []
        let needed = Set(schema.fields.map(\.name))
        let extra = header.filter { !needed.contains($0) }
        if !extra.isEmpty {
            warnings.append("\(path): ignoring \(extra.count) column\(extra.count == 1 ? "" : "s") the model does not use: \(extra.joined(separator: ", "))")
            table = table.dropping(columns: Set(extra))
        }
        return (table, warnings)
    }

    /// The header: for CSV the first record only; JSON Lines has no header, so its keys are
    /// read from the whole file.
    private static func columnNames(path: String, options: ReadOptions) throws(BundleError) -> [String] {
        var headerOptions = options
        headerOptions.columnKinds = [:]
        let format = options.format ?? DataFormat.inferred(fromPath: path)
        do {
            if format == .csv, let handle = FileHandle(forReadingAtPath: path) {
                defer { try? handle.close() }
                // Enough bytes for any realistic header; a header longer than this is read whole below.
                let head = handle.readData(ofLength: 1 << 20)
                if let newline = head.firstIndex(of: 0x0A), !head[..<newline].contains(0x22) {
                    return try CSVReader.read(bytes: [UInt8](head[...newline]), path: path, options: headerOptions).columnNames
                }
            }
            return try TableReader.read(path: path, options: headerOptions).columnNames
        } catch {
            throw BundleError(error.description)
        }
    }

    public static func predict(_ bundle: ModelBundle, _ table: Table, threads: Int = 1) throws(BundleError) -> Prediction {
        do {
            return try bundle.pipeline.predict(table, threads: threads)
        } catch {
            throw BundleError(error.message)
        }
    }

    /// One row per prediction: `prediction`, then `proba_<class>` columns when asked.
    public static func csv(_ prediction: Prediction, classes: [String]?, probabilities: Bool) -> String {
        var lines: [String] = []
        switch prediction {
        case .values(let values):
            lines.append("prediction")
            lines += values.map { "\($0)" }
        case .classes(let labels, let matrix):
            let names = classes ?? []
            let withProbabilities = probabilities && matrix != nil
            lines.append((["prediction"] + (withProbabilities ? names.map { "proba_" + $0 } : [])).map(escape).joined(separator: ","))
            for (row, label) in labels.enumerated() {
                var fields = [escape(names.indices.contains(label) ? names[label] : String(label))]
                if withProbabilities, let matrix {
                    for column in 0..<matrix.columns { fields.append("\(matrix[row, column])") }
                }
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
