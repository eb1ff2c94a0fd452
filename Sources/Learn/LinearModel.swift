import Foundation

/// A fitted linear model: `coefficients` has one row per output (one for regression and
/// binary classification, one per class for multinomial classification).
public struct LinearModel: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable {
        case regression
        /// One logit row; class 1's probability is sigmoid(x·w + b).
        case binaryLogistic
        /// One row per class; probabilities are the softmax of the scores.
        case multinomial
    }

    public var kind: Kind
    public var coefficients: Matrix
    public var intercepts: [Double]
    /// Optimizer iterations (logistic regression, lasso), as scikit-learn's `n_iter_`.
    public var iterations: Int

    func scores(_ x: Matrix) -> Matrix {
        let outputs = coefficients.rows, width = coefficients.columns
        var result = [Double](repeating: 0, count: x.rows * outputs)
        x.values.withUnsafeBufferPointer { features in
            coefficients.values.withUnsafeBufferPointer { weights in
                for row in 0..<x.rows {
                    for output in 0..<outputs {
                        result[row * outputs + output] = intercepts[output]
                            + Kernels.dot(features.baseAddress! + row * width, weights.baseAddress! + output * width, width)
                    }
                }
            }
        }
        return Matrix(rows: x.rows, columns: outputs, values: result)
    }

    public func predict(_ x: Matrix) -> Prediction {
        let raw = scores(x)
        switch kind {
        case .regression:
            return .values(raw.values)
        case .binaryLogistic:
            return Prediction.fromLogits(raw.values)
        case .multinomial:
            // Labels from the raw scores, as scikit-learn's decision_function argmax.
            return Prediction.fromScores(raw)
        }
    }
}

enum Logistic {
    /// 1 / (1 + exp(-z)) for z >= 0, exp(z) / (1 + exp(z)) below (no overflow either way),
    /// as one exponential and a select: the sign of a model's scores is data a branch would
    /// mispredict, and boosting takes this for every row of every iteration.
    @inline(__always)
    static func sigmoid(_ z: Double) -> Double {
        let e = exp(-abs(z))
        return (z >= 0 ? 1 : e) / (1 + e)
    }

    /// log(1 + exp(z)) without overflow.
    static func softplus(_ z: Double) -> Double {
        z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
    }

    static func softmaxRows(_ matrix: inout Matrix) {
        let width = matrix.columns
        matrix.values.withUnsafeMutableBufferPointer { values in
            for row in 0..<matrix.rows {
                var largest = -Double.infinity
                for column in 0..<width { largest = max(largest, values[row * width + column]) }
                var total = 0.0
                for column in 0..<width {
                    let value = exp(values[row * width + column] - largest)
                    values[row * width + column] = value
                    total += value
                }
                for column in 0..<width { values[row * width + column] /= total }
            }
        }
    }
}

/// Ordinary least squares, scikit-learn's `LinearRegression`.
public struct LinearRegressionConfig: Sendable, Equatable, Codable {
    public var fitIntercept = true

    public init(fitIntercept: Bool = true) { self.fitIntercept = fitIntercept }

    public func fit(_ x: Matrix, _ y: [Double]) -> LinearModel {
        RidgeConfig(alpha: 0, fitIntercept: fitIntercept).fit(x, y)
    }
}

/// L2-penalized least squares, scikit-learn's `Ridge`: minimizes ||y - Xw - b||² + alpha ||w||²
/// (the intercept is not penalized), solved exactly through the normal equations, or, with
/// more features than rows, through the n x n kernel system as scikit-learn's cholesky solver
/// does (cost n²p instead of p³; with alpha 0 this is the minimum-norm least-squares solution).
public struct RidgeConfig: Sendable, Equatable, Codable {
    public var alpha = 1.0
    public var fitIntercept = true

    public init(alpha: Double = 1.0, fitIntercept: Bool = true) {
        self.alpha = alpha
        self.fitIntercept = fitIntercept
    }

    public func fit(_ x: Matrix, _ y: [Double]) -> LinearModel {
        let means = fitIntercept ? x.columnMeans() : [Double](repeating: 0, count: x.columns)
        let targetMean = fitIntercept ? y.reduce(0, +) / Double(max(1, y.count)) : 0
        let weights: [Double]
        if x.columns > x.rows {
            weights = LinearAlgebra.solveKernelRidge(x, centeredBy: means, target: y, targetMean: targetMean, alpha: alpha)
        } else {
            var (xtx, xty) = LinearAlgebra.gram(x, centeredBy: means, target: y, targetMean: targetMean)
            for j in 0..<x.columns { xtx[j * x.columns + j] += alpha }
            weights = LinearAlgebra.solveSymmetric(xtx, xty, size: x.columns)
        }
        let intercept = targetMean - zip(means, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return LinearModel(kind: .regression, coefficients: Matrix(rows: 1, columns: x.columns, values: weights), intercepts: [intercept], iterations: 0)
    }
}
