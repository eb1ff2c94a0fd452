import Foundation
import Learn
import Tabular

/// Fixture files next to this one (computed by scikit-learn, see scripts/make_*_fixtures.py).
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent(name))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func table(_ name: String) throws -> Table {
        try CSVReader.read(path: folder.appendingPathComponent(name).path)
    }

    /// Features as a matrix and the target column, from a fixture CSV.
    static func data(_ name: String, target: String) throws -> (x: Matrix, target: Column) {
        let table = try self.table(name)
        let features = table.dropping(columns: [target])
        var values = [Double]()
        for row in 0..<features.rowCount {
            for column in features.columns { values.append(column.numericValues![row]) }
        }
        return (Matrix(rows: features.rowCount, columns: features.columnCount, values: values), table[target]!)
    }

    /// Columns standardized with the population standard deviation, as scikit-learn's StandardScaler.
    static func standardized(_ x: Matrix) -> Matrix {
        var output = x
        for column in 0..<x.columns {
            let values = (0..<x.rows).map { x[$0, column] }
            let mean = values.reduce(0, +) / Double(values.count)
            let deviation = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
            for row in 0..<x.rows { output[row, column] = (x[row, column] - mean) / deviation }
        }
        return output
    }
}

func doubles(_ value: Any?) -> [Double] { (value as! [Any]).map { ($0 as! NSNumber).doubleValue } }
func matrixRows(_ value: Any?) -> [[Double]] { (value as! [Any]).map { doubles($0) } }
func ints(_ value: Any?) -> [Int] { (value as! [Any]).map { ($0 as! NSNumber).intValue } }
