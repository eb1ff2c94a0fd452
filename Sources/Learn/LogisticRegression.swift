import Foundation

/// L2-regularized logistic regression, scikit-learn's `LogisticRegression` (lbfgs): minimizes
/// the mean log loss plus ||W||² / (2 C n) (the intercept is not penalized). Two classes use one
/// logit; more use the multinomial (softmax) model.
public struct LogisticRegressionConfig: Sendable, Equatable, Codable {
    public var c = 1.0
    /// false: no penalty (scikit-learn's `penalty=None`).
    public var penalized = true
    public var fitIntercept = true
    public var maxIterations = 100
    public var tolerance = 1e-4
    /// Weights classes by n / (classes * count), scikit-learn's `class_weight="balanced"`.
    public var balanced = false

    public init(c: Double = 1.0, penalized: Bool = true, fitIntercept: Bool = true, maxIterations: Int = 100, tolerance: Double = 1e-4, balanced: Bool = false) {
        self.c = c
        self.penalized = penalized
        self.fitIntercept = fitIntercept
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.balanced = balanced
    }

    public func fit(_ x: Matrix, labels: [Int], classCount: Int) -> LinearModel {
        let n = x.rows, p = x.columns
        let outputs = classCount == 2 ? 1 : classCount
        let stride = p + 1  // weights then intercept, per output
        var sampleWeights = [Double](repeating: 1, count: n)
        if balanced {
            var counts = [Double](repeating: 0, count: classCount)
            for label in labels { counts[label] += 1 }
            for i in 0..<n { sampleWeights[i] = Double(n) / (Double(classCount) * counts[labels[i]]) }
        }
        let weightTotal = sampleWeights.reduce(0, +)
        let l2 = penalized ? 1 / (c * weightTotal) : 0
        let optimizer = LBFGS(maxIterations: maxIterations, gradientTolerance: tolerance)
        let start = [Double](repeating: 0, count: outputs * stride)
        let outcome = optimizer.minimize(from: start) { parameters, gradient in
            objective(x, labels, sampleWeights, weightTotal, outputs: outputs, l2: l2, parameters, &gradient)
        }
        var coefficients = [Double](repeating: 0, count: outputs * p)
        var intercepts = [Double](repeating: 0, count: outputs)
        for output in 0..<outputs {
            for j in 0..<p { coefficients[output * p + j] = outcome.point[output * stride + j] }
            intercepts[output] = outcome.point[output * stride + p]
        }
        return LinearModel(
            kind: outputs == 1 ? .binaryLogistic : .multinomial,
            coefficients: Matrix(rows: outputs, columns: p, values: coefficients), intercepts: intercepts,
            iterations: outcome.iterations)
    }

    /// Mean weighted log loss plus the penalty; writes the gradient.
    private func objective(
        _ x: Matrix, _ labels: [Int], _ sampleWeights: [Double], _ weightTotal: Double,
        outputs: Int, l2: Double, _ parameters: [Double], _ gradient: inout [Double]
    ) -> Double {
        let n = x.rows, p = x.columns, stride = p + 1
        for i in gradient.indices { gradient[i] = 0 }
        var loss = 0.0
        var scores = [Double](repeating: 0, count: outputs)
        var exponentials = [Double](repeating: 0, count: outputs)
        x.values.withUnsafeBufferPointer { features in
            parameters.withUnsafeBufferPointer { w in
                gradient.withUnsafeMutableBufferPointer { g in
                    let featureBase = features.baseAddress!, weightBase = w.baseAddress!, gradientBase = g.baseAddress!
                    for i in 0..<n {
                        let row = featureBase + i * p
                        for output in 0..<outputs {
                            let intercept = fitIntercept ? w[output * stride + p] : 0
                            scores[output] = intercept + Kernels.dot(row, weightBase + output * stride, p)
                        }
                        let weight = sampleWeights[i] / weightTotal
                        if outputs == 1 {
                            let z = scores[0]
                            let y = labels[i] == 1 ? 1.0 : 0.0
                            loss += weight * (Logistic.softplus(z) - y * z)
                            let residual = weight * (Logistic.sigmoid(z) - y)
                            Kernels.axpy(residual, row, gradientBase, p)
                            if fitIntercept { g[p] += residual }
                        } else {
                            var largest = -Double.infinity
                            for output in 0..<outputs { largest = max(largest, scores[output]) }
                            var total = 0.0
                            for output in 0..<outputs {
                                exponentials[output] = exp(scores[output] - largest)
                                total += exponentials[output]
                            }
                            loss += weight * (largest + log(total) - scores[labels[i]])
                            for output in 0..<outputs {
                                let probability = exponentials[output] / total
                                let residual = weight * (probability - (labels[i] == output ? 1 : 0))
                                Kernels.axpy(residual, row, gradientBase + output * stride, p)
                                if fitIntercept { g[output * stride + p] += residual }
                            }
                        }
                    }
                }
            }
        }
        if l2 > 0 {
            for output in 0..<outputs {
                for j in 0..<p {
                    let w = parameters[output * stride + j]
                    loss += 0.5 * l2 * w * w
                    gradient[output * stride + j] += l2 * w
                }
            }
        }
        return loss
    }
}
