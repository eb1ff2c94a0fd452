import Foundation

/// Gaussian naive Bayes, scikit-learn's `GaussianNB`: per-class feature means and variances,
/// with `varSmoothing` times the largest feature variance added to every variance.
public struct GaussianNBConfig: Sendable, Equatable, Codable {
    public var varSmoothing = 1e-9

    public init(varSmoothing: Double = 1e-9) { self.varSmoothing = varSmoothing }

    public func fit(_ x: Matrix, labels: [Int], classCount: Int) -> GaussianNBModel {
        let p = x.columns
        var counts = [Double](repeating: 0, count: classCount)
        var means = [Double](repeating: 0, count: classCount * p)
        var variances = [Double](repeating: 0, count: classCount * p)
        for i in 0..<x.rows {
            counts[labels[i]] += 1
            for j in 0..<p { means[labels[i] * p + j] += x.values[i * p + j] }
        }
        for c in 0..<classCount where counts[c] > 0 { for j in 0..<p { means[c * p + j] /= counts[c] } }
        for i in 0..<x.rows {
            for j in 0..<p {
                let difference = x.values[i * p + j] - means[labels[i] * p + j]
                variances[labels[i] * p + j] += difference * difference
            }
        }
        for c in 0..<classCount where counts[c] > 0 { for j in 0..<p { variances[c * p + j] /= counts[c] } }
        // Largest variance of any feature over all rows, as scikit-learn's epsilon.
        let overallMeans = x.columnMeans()
        var largest = 0.0
        for j in 0..<p {
            var sum = 0.0
            for i in 0..<x.rows { sum += (x.values[i * p + j] - overallMeans[j]) * (x.values[i * p + j] - overallMeans[j]) }
            largest = max(largest, sum / Double(max(1, x.rows)))
        }
        let epsilon = varSmoothing * largest
        for index in variances.indices { variances[index] += epsilon }
        let priors = counts.map { $0 / Double(max(1, x.rows)) }
        return GaussianNBModel(
            means: Matrix(rows: classCount, columns: p, values: means),
            variances: Matrix(rows: classCount, columns: p, values: variances), priors: priors)
    }
}

public struct GaussianNBModel: Sendable, Equatable, Codable {
    public var means: Matrix
    public var variances: Matrix
    public var priors: [Double]

    public func predict(_ x: Matrix) -> Prediction {
        let classes = priors.count, p = x.columns
        var joint = Matrix(rows: x.rows, columns: classes)
        for c in 0..<classes {
            let logPrior = priors[c] > 0 ? log(priors[c]) : -Double.infinity
            var normalizer = 0.0
            for j in 0..<p { normalizer += log(2 * Double.pi * variances[c, j]) }
            normalizer *= -0.5
            for i in 0..<x.rows {
                var sum = 0.0
                for j in 0..<p {
                    let difference = x.values[i * p + j] - means[c, j]
                    sum += difference * difference / variances[c, j]
                }
                joint[i, c] = logPrior + normalizer - 0.5 * sum
            }
        }
        return Prediction.fromScores(joint)
    }
}
