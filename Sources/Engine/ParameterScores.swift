import Foundation
import Learn

/// The grid's cross-validated scores per parameter value: for one model and one parameter
/// with several values, the best candidate's scoring-metric mean and spread at each value
/// (the other parameters at their best), as a validation curve shows them.
public struct ParameterScores: Codable, Sendable, Equatable {
    public struct Point: Codable, Sendable, Equatable {
        public var value: String
        public var mean: Double
        public var std: Double
        /// The candidate (its 1-based rank) that scored best at this value.
        public var rank: Int
    }

    public var model: String
    public var parameter: String
    public var metric: String
    /// In the parameter's numeric order when every value is a number, else as the grid lists them.
    public var points: [Point]

    /// Every (model, parameter) of the leaderboard whose grid gives the parameter two values or more.
    static func of(_ candidates: [RunResults.Candidate], scoring: String) -> [ParameterScores] {
        let greaterIsBetter = Metric(rawValue: scoring)?.greaterIsBetter ?? true
        var result: [ParameterScores] = []
        var models: [String] = []
        for candidate in candidates where !models.contains(candidate.model) { models.append(candidate.model) }
        for model in models {
            let own = candidates.filter { $0.model == model }
            for parameter in Set(own.flatMap { $0.params.keys }).sorted() {
                var values: [String] = []
                for candidate in own { if let value = candidate.params[parameter], !values.contains(value) { values.append(value) } }
                guard values.count > 1 else { continue }
                let numbers = values.map(Double.init)
                if numbers.allSatisfy({ $0 != nil }) { values = zip(values, numbers).sorted { $0.1! < $1.1! }.map(\.0) }
                let points = values.compactMap { value -> Point? in
                    let scored = own.filter { $0.params[parameter] == value }.compactMap { candidate in candidate.metrics[scoring].map { (candidate.rank, $0) } }
                    guard let best = scored.min(by: { greaterIsBetter ? $0.1.mean > $1.1.mean : $0.1.mean < $1.1.mean }) else { return nil }
                    return Point(value: value, mean: best.1.mean, std: best.1.std, rank: best.0)
                }
                result.append(ParameterScores(model: model, parameter: parameter, metric: scoring, points: points))
            }
        }
        return result
    }
}
