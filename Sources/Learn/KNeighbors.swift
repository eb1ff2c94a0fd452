import Foundation
import Tabular

/// k-nearest neighbours by exhaustive search, scikit-learn's `KNeighborsClassifier` and
/// `KNeighborsRegressor` (brute force, Minkowski distance). Ties in distance go to the earlier
/// training row, so results never depend on thread count.
public struct KNeighborsConfig: Sendable, Equatable, Codable {
    public var neighbors = 5
    public var distanceWeighted = false
    /// Minkowski power: 1 Manhattan, 2 Euclidean.
    public var power = 2.0

    public init(neighbors: Int = 5, distanceWeighted: Bool = false, power: Double = 2) {
        self.neighbors = neighbors
        self.distanceWeighted = distanceWeighted
        self.power = power
    }

    public func fit(_ x: Matrix, _ target: Target) throws(LearnError) -> KNeighborsModel {
        guard x.rows >= neighbors else {
            throw LearnError.settings("k_neighbors needs at least n_neighbors = \(neighbors) training rows, and this fit has \(x.rows); lower n_neighbors")
        }
        return KNeighborsModel(config: self, training: x, target: target)
    }
}

/// The fitted model is the training data itself.
public struct KNeighborsModel: Sendable, Equatable, Codable {
    public var config: KNeighborsConfig
    public var training: Matrix
    public var target: Target

    public func predict(_ x: Matrix, threads: Int = 1) -> Prediction {
        let k = config.neighbors
        let neighbours = ParallelWork.map(count: x.rows, threads: threads) { row in nearest(to: x, row: row, k: k) }
        switch target {
        case .values(let values):
            return .values(neighbours.map { found in
                let weights = self.weights(found.map(\.distance))
                let total = weights.reduce(0, +)
                return zip(found, weights).reduce(0.0) { $0 + values[$1.0.index] * $1.1 } / total
            })
        case .classes(let labels, let classes):
            var probabilities = [Double](repeating: 0, count: x.rows * classes.count)
            for (row, found) in neighbours.enumerated() {
                let weights = self.weights(found.map(\.distance))
                let total = weights.reduce(0, +)
                for (neighbour, weight) in zip(found, weights) {
                    probabilities[row * classes.count + labels[neighbour.index]] += weight / total
                }
            }
            return Prediction.fromProbabilities(Matrix(rows: x.rows, columns: classes.count, values: probabilities))
        }
    }

    /// Uniform weights, or 1/distance; exact matches take all the weight, as in scikit-learn.
    private func weights(_ distances: [Double]) -> [Double] {
        guard config.distanceWeighted else { return distances.map { _ in 1 } }
        if distances.contains(0) { return distances.map { $0 == 0 ? 1 : 0 } }
        return distances.map { 1 / $0 }
    }

    private struct Neighbour {
        var index: Int
        var distance: Double
    }

    private func nearest(to x: Matrix, row: Int, k: Int) -> [Neighbour] {
        let width = training.columns
        var best: [Neighbour] = []
        best.reserveCapacity(k + 1)
        let euclidean = config.power == 2, manhattan = config.power == 1
        x.values.withUnsafeBufferPointer { query in
            training.values.withUnsafeBufferPointer { points in
                let q = row * width
                for candidate in 0..<training.rows {
                    let base = candidate * width
                    var sum = 0.0
                    for j in 0..<width {
                        let difference = abs(query[q + j] - points[base + j])
                        if euclidean { sum += difference * difference } else if manhattan { sum += difference } else { sum += pow(difference, config.power) }
                    }
                    if best.count == k, sum >= best[k - 1].distance { continue }
                    // Insert keeping ascending distance; equal distances keep training order.
                    var position = best.count
                    while position > 0, best[position - 1].distance > sum { position -= 1 }
                    best.insert(Neighbour(index: candidate, distance: sum), at: position)
                    if best.count > k { best.removeLast() }
                }
            }
        }
        if euclidean { return best.map { Neighbour(index: $0.index, distance: $0.distance.squareRoot()) } }
        if manhattan { return best }
        return best.map { Neighbour(index: $0.index, distance: pow($0.distance, 1 / config.power)) }
    }
}

