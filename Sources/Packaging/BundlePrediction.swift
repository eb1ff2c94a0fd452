import Foundation
import Learn
import Tabular

/// New data checked against a bundle's input schema, and predictions written as CSV.
public enum BundlePrediction {
    /// Reads `path` (CSV or JSON Lines) with the schema's column types, so a value of the
    /// wrong type is an error naming its line and column. A missing column is an error naming
    /// it; extra columns are dropped with one warning.
    public static func readInput(path: String, schema: InputSchema, options: ReadOptions = ReadOptions()) throws(BundleError) -> (table: Table, warnings: [String]) {
        try readInput(FileSource(path: path, options: options), schema: schema)
    }

    /// The same for any data source.
    public static func readInput(_ source: any DataSource, schema: InputSchema) throws(BundleError) -> (table: Table, warnings: [String]) {
        do {
            try schema.requireColumns(try source.columnNames(), source: source.description)
            return try schema.conform(try source.read(options: ReadOptions(columnKinds: schema.columnKinds)), source: source.description)
        } catch let error as BundleError {
            throw error
        } catch let error as DataError {
            throw .inputData(error)
        } catch {
            throw .internalError("\(error)")
        }
    }

    public static func predict(_ bundle: ModelBundle, _ table: Table, threads: Int = 1) throws(BundleError) -> Prediction {
        do {
            return try bundle.pipeline.predict(table, threads: threads)
        } catch {
            throw .prediction(error)
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
