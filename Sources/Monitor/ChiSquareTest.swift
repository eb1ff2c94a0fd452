import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Pearson's chi-square test of independence on a contingency table, as SciPy's
/// `chi2_contingency` computes it: expected counts from the margins, Yates' continuity
/// correction when there is one degree of freedom, the p-value from the chi-square
/// distribution's survival function.
public struct ChiSquareTest: Sendable, Equatable {
    public var statistic: Double
    public var pValue: Double
    public var degreesOfFreedom: Int

    /// `table[row][column]`: observed counts. Categories no row has (a column of zeros) are
    /// left out, since their expected count is zero (SciPy refuses such a table).
    public init(_ table: [[Double]], correction: Bool = true) {
        let kept = (0..<(table.first?.count ?? 0)).filter { column in table.contains { $0[column] != 0 } }
        let rows = table.filter { row in kept.contains { row[$0] != 0 } }
        let observed = rows.map { row in kept.map { row[$0] } }
        let rowTotals = observed.map { $0.reduce(0, +) }
        let columnTotals = kept.indices.map { column in observed.reduce(0) { $0 + $1[column] } }
        let total = rowTotals.reduce(0, +)
        degreesOfFreedom = max(0, (observed.count - 1) * (kept.count - 1))
        guard degreesOfFreedom > 0, total > 0 else {
            statistic = 0
            pValue = 1
            return
        }
        var sum = 0.0
        for (r, row) in observed.enumerated() {
            for (c, count) in row.enumerated() {
                let expected = rowTotals[r] * columnTotals[c] / total
                var difference = count - expected
                if correction && degreesOfFreedom == 1 {
                    // Yates: move each observation half a count toward its expectation.
                    difference = copysign(max(abs(difference) - 0.5, 0), difference)
                }
                sum += difference * difference / expected
            }
        }
        statistic = sum
        pValue = GammaFunctions.upperRegularized(Double(degreesOfFreedom) / 2, sum / 2)
    }
}

/// The regularized incomplete gamma functions the chi-square distribution needs.
enum GammaFunctions {
    /// log Γ(x) for x > 0; lgamma_r, since lgamma writes a process-wide sign variable.
    static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return Glibc.lgamma_r(x, &sign)
    }

    /// Q(a, x) = Γ(a, x)/Γ(a): the series of P for x < a + 1, Lentz's continued fraction
    /// for Q otherwise, each to full double precision.
    static func upperRegularized(_ a: Double, _ x: Double) -> Double {
        guard a > 0, x >= 0 else { return .nan }
        if x == 0 { return 1 }
        if x.isInfinite { return 0 }
        let logPrefix = a * log(x) - x - logGamma(a)
        if x < a + 1 {
            var term = 1 / a, sum = term, denominator = a
            for _ in 0..<10_000 {
                denominator += 1
                term *= x / denominator
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return min(1, exp(logPrefix) * h)
    }
}
