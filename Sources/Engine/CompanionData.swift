import Foundation
import Learn
import Tabular

/// Labelled files a model test reads besides the experiment's data (`data:`, examples).
enum CompanionData {
    /// The file's rows with a target, and the target encoded the way the model knows it (its
    /// classes, in its order). The file must still be the one planned.
    static func read(_ file: ModelTestStage.CompanionFile, target: String, task: LearningTask, classes: [String]?) throws -> (Table, Target) {
        let source = FileSource(path: file.path, options: ReadOptions(format: file.format, delimiter: file.delimiter, naValues: file.naValues))
        let table: Table
        do {
            table = try source.read(options: ReadOptions(format: file.format, delimiter: file.delimiter, naValues: file.naValues, columnKinds: file.columnKinds))
        } catch {
            throw EngineError.data(error.description)
        }
        guard try DataDigest.of(source, store: nil).digest == file.digest else {
            throw EngineError.data("\(file.path) changed after the run was planned; rerun to plan against the new file")
        }
        guard let column = table[target] else { throw EngineError.data("\(file.path) has no column '\(target)'") }
        let line = { (row: Int) in file.format == .csv ? row + 2 : row + 1 }
        var rows: [Int] = []
        switch task {
        case .classification:
            guard let classes else { throw EngineError.internalError("a classifier without classes") }
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
            var labels: [Int] = []
            for row in 0..<table.rowCount {
                guard let text = column.text(at: row) else { continue }
                guard let label = index[text] else {
                    throw EngineError.data("\(file.path):\(line(row)): '\(target)' is '\(text)', which is not a class the model knows (\(Wording.list(classes, conjunction: "and")))")
                }
                rows.append(row)
                labels.append(label)
            }
            guard !rows.isEmpty else { throw EngineError.data("\(file.path) has no row with a value in '\(target)'") }
            return (table.taking(rows: rows), .classes(labels: labels, classes: classes))
        case .regression:
            guard let values = column.numericValues, column.kind != .categorical else {
                throw EngineError.data("\(file.path): '\(target)' holds text, but the model predicts numbers")
            }
            rows = values.indices.filter { values[$0].isFinite }
            guard !rows.isEmpty else { throw EngineError.data("\(file.path) has no row with a value in '\(target)'") }
            return (table.taking(rows: rows), .values(rows.map { values[$0] }))
        }
    }
}
