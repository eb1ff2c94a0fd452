/// L1-penalized least squares by coordinate descent, scikit-learn's `Lasso`: minimizes
/// (1 / (2n)) ||y - Xw - b||² + alpha ||w||₁, stopping on the same duality-gap test.
public struct LassoConfig: Sendable, Equatable, Codable {
    public var alpha = 1.0
    public var fitIntercept = true
    public var maxIterations = 1000
    public var tolerance = 1e-4
    /// Visit coordinates in a random order each sweep (seeded) instead of cyclically.
    public var randomSelection = false
    public var seed: UInt64 = 0

    public init(alpha: Double = 1.0, fitIntercept: Bool = true, maxIterations: Int = 1000, tolerance: Double = 1e-4, randomSelection: Bool = false, seed: UInt64 = 0) {
        self.alpha = alpha
        self.fitIntercept = fitIntercept
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.randomSelection = randomSelection
        self.seed = seed
    }

    public func fit(_ x: Matrix, _ y: [Double]) -> LinearModel {
        let n = x.rows, p = x.columns
        let means = fitIntercept ? x.columnMeans() : [Double](repeating: 0, count: p)
        let targetMean = fitIntercept ? y.reduce(0, +) / Double(max(1, n)) : 0
        // Column-major centered copy: each coordinate step walks one column.
        var columns = [Double](repeating: 0, count: n * p)
        for i in 0..<n { for j in 0..<p { columns[j * n + i] = x.values[i * p + j] - means[j] } }
        var residual = y.map { $0 - targetMean }
        let norms = (0..<p).map { j in (0..<n).reduce(0.0) { $0 + columns[j * n + $1] * columns[j * n + $1] } }
        var weights = [Double](repeating: 0, count: p)
        let penalty = alpha * Double(n)
        let targetScale = residual.reduce(0) { $0 + $1 * $1 }
        let gapTolerance = tolerance * targetScale
        var generator = SeededGenerator(seed: seed, stream: "lasso")
        var order = Array(0..<p)
        var iterations = 0
        for sweep in 0..<maxIterations {
            iterations = sweep + 1
            if randomSelection { generator.shuffle(&order) }
            var largestChange = 0.0, largestWeight = 0.0
            columns.withUnsafeBufferPointer { column in
                residual.withUnsafeMutableBufferPointer { r in
                    for j in order where norms[j] > 0 {
                        let old = weights[j]
                        var correlation = 0.0
                        for i in 0..<n { correlation += column[j * n + i] * r[i] }
                        correlation += old * norms[j]
                        let updated = correlation.sign == .minus
                            ? -max(abs(correlation) - penalty, 0) / norms[j]
                            : max(abs(correlation) - penalty, 0) / norms[j]
                        if updated != old {
                            let delta = updated - old
                            for i in 0..<n { r[i] -= delta * column[j * n + i] }
                            weights[j] = updated
                        }
                        largestChange = max(largestChange, abs(updated - old))
                        largestWeight = max(largestWeight, abs(updated))
                    }
                }
            }
            if largestWeight == 0 || largestChange / largestWeight < tolerance || sweep == maxIterations - 1 {
                if dualityGap(columns, residual, weights, n: n, p: p, penalty: penalty) < gapTolerance { break }
            }
        }
        let intercept = targetMean - zip(means, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return LinearModel(kind: .regression, coefficients: Matrix(rows: 1, columns: p, values: weights), intercepts: [intercept], iterations: iterations)
    }

    /// The duality gap of 0.5 ||r||² + penalty ||w||₁, as scikit-learn's `enet_coordinate_descent`.
    private func dualityGap(_ columns: [Double], _ residual: [Double], _ weights: [Double], n: Int, p: Int, penalty: Double) -> Double {
        var dualNorm = 0.0
        for j in 0..<p {
            var correlation = 0.0
            for i in 0..<n { correlation += columns[j * n + i] * residual[i] }
            dualNorm = max(dualNorm, abs(correlation))
        }
        let residualSquared = residual.reduce(0) { $0 + $1 * $1 }
        let l1 = weights.reduce(0) { $0 + abs($1) }
        var scale = 1.0
        var gap: Double
        if dualNorm > penalty {
            scale = penalty / dualNorm
            gap = 0.5 * residualSquared * (1 + scale * scale)
        } else {
            gap = residualSquared
        }
        // gap += penalty * ||w||₁ - scale * rᵀ y_centered, with y_centered = r + Xw.
        var ry = residualSquared
        for j in 0..<p where weights[j] != 0 {
            var correlation = 0.0
            for i in 0..<n { correlation += columns[j * n + i] * residual[i] }
            ry += weights[j] * correlation
        }
        gap += penalty * l1 - scale * ry
        return gap
    }
}
