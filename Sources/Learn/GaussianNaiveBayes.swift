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

    /// Joint log-likelihoods per class (scikit-learn's arithmetic). Far from every class's
    /// mean the squared z-scores overflow and every class gets -inf, whose softmax is NaN;
    /// such a row compares the sums in log space instead (scaled by the largest term) and
    /// gives all the probability to the nearest class, the posterior's exact limit.
    public func predict(_ x: Matrix) -> Prediction {
        let classes = priors.count, p = x.columns
        var joint = Matrix(rows: x.rows, columns: classes)
        var normalizers = [Double](repeating: 0, count: classes), logPriors = [Double](repeating: 0, count: classes)
        for c in 0..<classes {
            logPriors[c] = priors[c] > 0 ? log(priors[c]) : -Double.infinity
            var normalizer = 0.0
            for j in 0..<p { normalizer += log(2 * Double.pi * variances[c, j]) }
            normalizers[c] = -0.5 * normalizer
        }
        for i in 0..<x.rows {
            var overflowed = true
            for c in 0..<classes {
                var sum = 0.0
                for j in 0..<p {
                    let difference = x.values[i * p + j] - means[c, j]
                    sum += difference * difference / variances[c, j]
                }
                joint[i, c] = logPriors[c] + normalizers[c] - 0.5 * sum
                if joint[i, c].isFinite || (priors[c] > 0 && !sum.isInfinite) { overflowed = false }
            }
            if overflowed {
                // Every class is astronomically unlikely: the nearest (smallest sum) wins outright.
                let nearest = (0..<classes).filter { priors[$0] > 0 }.min { logSquaredDistance(x, row: i, class: $0) < logSquaredDistance(x, row: i, class: $1) } ?? 0
                for c in 0..<classes { joint[i, c] = c == nearest ? 0 : -Double.infinity }
            }
        }
        return Prediction.fromScores(joint)
    }

    /// log Σ z², z = (x - mean) / σ, without overflow: the sum is scaled by its largest term.
    /// +inf when a variance is 0 and the value differs from the mean.
    private func logSquaredDistance(_ x: Matrix, row: Int, class c: Int) -> Double {
        let p = x.columns
        var largest = 0.0
        for j in 0..<p { largest = max(largest, abs(x.values[row * p + j] - means[c, j]) / variances[c, j].squareRoot()) }
        guard largest.isFinite else { return .infinity }
        guard largest > 0 else { return -.infinity }
        var scaled = 0.0
        for j in 0..<p {
            let z = (x.values[row * p + j] - means[c, j]) / variances[c, j].squareRoot() / largest
            scaled += z * z
        }
        return 2 * log(largest) + log(scaled)
    }
}
