import Tabular

/// Turns the preprocessed table into the numeric matrix models fit on, refusing what no model
/// can take (text, infinities) with a message that says which step to add.
enum FeatureMatrix {
    /// Fitting data gets advice about the spec; prediction input gets advice about the input.
    enum Purpose { case fitting, predicting }

    static func build(_ table: Table, allowMissing: Bool, model: String, for purpose: Purpose = .fitting) throws(LearnError) -> Matrix {
        guard table.columnCount > 0 else {
            throw LearnError.data("no feature columns reach the model; check data.drop and the preprocessing steps")
        }
        let rows = table.rowCount, width = table.columnCount
        var values = [Double](repeating: 0, count: rows * width)
        for (index, column) in table.columns.enumerated() {
            guard let data = column.numericValues else {
                throw LearnError.data("column '\(column.name)' is categorical and reaches \(model) unencoded; add `- one_hot: {columns: [\(column.name)]}` (or ordinal) to preprocess")
            }
            for row in 0..<rows {
                let value = data[row]
                if value.isNaN, !allowMissing {
                    if purpose == .predicting {
                        throw LearnError.inputValue(row: row, column: column.name, message: "input row \(row + 1), column '\(column.name)': the value is missing, and this model cannot take missing values there (its training data had none); send a value")
                    }
                    let missing = column.missingCount
                    throw LearnError.data("column '\(column.name)' has \(missing) missing value\(missing == 1 ? "" : "s") when it reaches \(model), which cannot take them; add `- impute: {columns: [\(column.name)]}` to preprocess")
                }
                if value.isInfinite {
                    if purpose == .predicting {
                        throw LearnError.inputValue(row: row, column: column.name, message: "input row \(row + 1), column '\(column.name)': the value is infinite after preprocessing; send finite numbers")
                    }
                    throw LearnError.data("column '\(column.name)' holds an infinite value (row \(row + 1) of the fitted data); remove or clip it before fitting")
                }
                values[row * width + index] = value
            }
        }
        return Matrix(rows: rows, columns: width, values: values)
    }
}
