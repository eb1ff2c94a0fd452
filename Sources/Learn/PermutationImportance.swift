import Tabular

/// How much a score drops when one input column's values are shuffled among the rows, as
/// scikit-learn's `permutation_importance` measures it on a pipeline (raw input columns,
/// the scorer's sign: positive means the column helps).
public struct FeatureImportance: Codable, Sendable, Equatable {
    public var column: String
    public var mean: Double
    /// Population standard deviation over the repeats (numpy's `std`).
    public var std: Double
    /// The importance of each repeat.
    public var repeats: [Double]
}

public enum PermutationImportance {
    /// Importances of every model input in `features`, most important first (ties by name).
    /// Each column's shuffles come from its own stream of `seed`, so the result does not
    /// depend on the thread count or on the other columns.
    public static func compute(model: FittedPipeline, features: Table, truth: Target, metric: Metric, repeats: Int, seed: UInt64, threads: Int) throws(LearnError) -> (baseline: Double, importances: [FeatureImportance]) {
        let baseline = try Scoring.score(metric, truth: truth, prediction: model.predict(features, threads: threads))
        let sign = metric.greaterIsBetter ? 1.0 : -1.0
        let inputs = model.inputColumns.filter { features.index(of: $0) != nil }
        let rows = features.rowCount
        let outcomes = ParallelWork.map(count: inputs.count, threads: threads) { index -> Result<FeatureImportance, LearnError> in
            let name = inputs[index]
            guard let position = features.index(of: name) else { return .failure(.data("column '\(name)' vanished")) }
            var generator = SeededGenerator(seed: seed, stream: "permutation importance \(name)")
            var order = Array(0..<rows)
            var values: [Double] = []
            for _ in 0..<repeats {
                generator.shuffle(&order)
                var columns = features.columns
                columns[position] = columns[position].taking(rows: order)
                do {
                    // Replacing a column by a reordering of itself keeps names and lengths.
                    let shuffled = try! Table(columns: columns)
                    let score = try Scoring.score(metric, truth: truth, prediction: model.predict(shuffled, threads: 1))
                    values.append(sign * (baseline - score))
                } catch let error as LearnError {
                    return .failure(error)
                } catch {
                    return .failure(.data("\(error)"))
                }
            }
            let mean = values.reduce(0, +) / Double(max(1, values.count))
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, values.count))
            return .success(FeatureImportance(column: name, mean: mean, std: variance.squareRoot(), repeats: values))
        }
        var importances: [FeatureImportance] = []
        for outcome in outcomes {
            switch outcome {
            case .success(let importance): importances.append(importance)
            case .failure(let error): throw error
            }
        }
        importances.sort { $0.mean != $1.mean ? $0.mean > $1.mean : $0.column < $1.column }
        return (baseline, importances)
    }
}
