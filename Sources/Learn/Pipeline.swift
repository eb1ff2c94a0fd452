import Tabular

/// Preprocessing steps followed by a model, fitted together on training rows only.
public struct PipelineConfig: Sendable, Equatable, Codable {
    public var steps: [PreprocessingConfig]
    public var model: ModelConfig

    public init(steps: [PreprocessingConfig], model: ModelConfig) {
        self.steps = steps
        self.model = model
    }

    /// Fits every step on `features` (already without the target), then the model.
    public func fit(_ features: Table, _ target: Target, context: FitContext = FitContext()) throws(LearnError) -> FittedPipeline {
        guard features.rowCount > 0 else { throw LearnError.data("the training data has no rows") }
        guard features.rowCount == target.count else {
            throw LearnError.data("features have \(features.rowCount) rows but the target has \(target.count)")
        }
        var table = features
        var fitted: [FittedTransformer] = []
        for step in steps {
            let state = try step.fit(table)
            table = try state.transform(table)
            fitted.append(state)
        }
        let x = try FeatureMatrix.build(table, allowMissing: model.acceptsMissingValues, model: model.typeName)
        let classes: [String]?
        if case .classes(_, let names) = target { classes = names } else { classes = nil }
        let codes = FittedTransformer.categoryCounts(after: fitted)
        let categoryCounts = table.columnNames.map { codes[$0] ?? 0 }
        return FittedPipeline(
            inputColumns: features.columnNames, steps: fitted, featureNames: table.columnNames,
            model: try model.fit(x, target, categoryCounts: categoryCounts, featureNames: table.columnNames, context: context), classes: classes, acceptsMissingValues: model.acceptsMissingValues)
    }
}

/// A fitted pipeline: learned preprocessing state and model, all plain data.
public struct FittedPipeline: Sendable, Equatable, Codable {
    /// Columns the pipeline reads, in order.
    public var inputColumns: [String]
    public var steps: [FittedTransformer]
    /// Columns the model sees after preprocessing.
    public var featureNames: [String]
    public var model: FittedModel
    /// Class labels for classification, in the order of probability columns.
    public var classes: [String]?
    var acceptsMissingValues: Bool

    /// The table as the model sees it.
    public func features(_ table: Table) throws(LearnError) -> Matrix {
        if let absent = inputColumns.first(where: { table.index(of: $0) == nil }) {
            throw LearnError.missingColumn(column: absent, message: "the input lacks column '\(absent)', which the model needs")
        }
        var current: Table
        do {
            current = try table.selecting(columns: inputColumns)
        } catch {
            throw LearnError.data("the input lacks a column the pipeline needs: \(error.description)")
        }
        for step in steps { current = try step.transform(current) }
        guard current.columnNames == featureNames else {
            throw LearnError.data("preprocessing produced columns \(current.columnNames), but the model was fitted on \(featureNames)")
        }
        return try FeatureMatrix.build(current, allowMissing: acceptsMissingValues, model: "the model", for: .predicting)
    }

    /// `threads` only splits the work; predictions do not depend on it. No prediction holds
    /// NaN or an infinity: a row whose output is not a finite number (values so far outside
    /// the training data that the arithmetic overflows) is refused, named.
    public func predict(_ table: Table, threads: Int = 1) throws(LearnError) -> Prediction {
        let prediction = model.predict(try features(table), threads: threads)
        if let row = prediction.firstNonFiniteRow {
            throw LearnError.inputValue(row: row, column: nil, message: "row \(row + 1): the model's output is not a finite number; its values lie too far outside the data the model was fitted on")
        }
        return prediction
    }
}
