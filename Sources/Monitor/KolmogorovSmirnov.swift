import Foundation

/// The two-sample Kolmogorov-Smirnov test, two-sided, with SciPy's `ks_2samp(method="auto")`
/// choices so the p-values agree: the exact distribution of the statistic while both samples
/// have at most 10,000 values, Kolmogorov's distribution for n1·n2/(n1+n2) past that (or
/// when the exact count overflows).
public struct KolmogorovSmirnovTest: Sendable, Equatable {
    /// The largest distance between the two empirical distribution functions.
    public var statistic: Double
    public var pValue: Double
    /// Whether the p-value is exact (false: asymptotic).
    public var exact: Bool

    /// Past this many values in either sample the asymptotic distribution is used.
    static let exactLimit = 10_000

    /// Both samples sorted ascending, without missing values; neither may be empty.
    public init(sortedReference first: [Double], sortedCurrent second: [Double]) {
        precondition(!first.isEmpty && !second.isEmpty, "the Kolmogorov-Smirnov test needs two non-empty samples")
        let n1 = first.count, n2 = second.count
        // The statistic: walk both sorted samples, comparing the distribution functions after
        // every distinct value (ties advance both samples together).
        var i = 0, j = 0
        var largestAbove = 0.0, largestBelow = 0.0
        while i < n1 || j < n2 {
            let value = i < n1 && (j >= n2 || first[i] <= second[j]) ? first[i] : second[j]
            while i < n1 && first[i] <= value { i += 1 }
            while j < n2 && second[j] <= value { j += 1 }
            let difference = Double(i) / Double(n1) - Double(j) / Double(n2)
            largestAbove = max(largestAbove, difference)
            largestBelow = max(largestBelow, -difference)
        }
        var distance = max(largestAbove, largestBelow)
        var probability: Double?
        if max(n1, n2) <= Self.exactLimit {
            let divisor = Self.gcd(n1, n2)
            let lcm = (n1 / divisor) * n2
            let h = Int((distance * Double(lcm)).rounded(.toNearestOrEven))
            distance = Double(h) / Double(lcm)
            if h == 0 {
                probability = 1
            } else {
                let p = n1 == n2 ? Self.outsideSquare(n: n1, h: h) : Self.outsideProbabilityInside(n1, n2, gcd: divisor, h: h)
                if p.isFinite, p >= 0, p <= 1 { probability = p }
            }
        }
        exact = probability != nil
        if probability == nil {
            let (m, n) = (Double(max(n1, n2)), Double(min(n1, n2)))
            let effective = (m * n / (m + n)).rounded(.toNearestOrEven)
            probability = KolmogorovDistribution.survival(n: Int(effective), distance)
        }
        statistic = distance
        pValue = min(max(probability ?? 1, 0), 1)
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    /// Equal sample sizes: the share of lattice paths leaving the band |x − y| < h, by the
    /// alternating binomial series evaluated Horner-style (no cancellation).
    static func outsideSquare(n: Int, h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var term = 1.0
            for j in 0..<h {
                term = Double(n - k * h - j) * term / Double(n + k * h + j + 1)
            }
            p = term * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// Unequal sizes: one minus the share of lattice paths from (0,0) to (m,n) that stay
    /// strictly inside |x/m − y/n| < h/lcm, computed column by column over a sliding window
    /// as a probability directly (Hodges' inside method in Viehmann's stable form).
    static func outsideProbabilityInside(_ first: Int, _ second: Int, gcd: Int, h: Int) -> Double {
        let (m, n) = first >= second ? (first, second) : (second, first)
        let mg = m / gcd, ng = n / gcd
        var minj = 0
        var maxj = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var length = maxj - minj
        let capacity = min(2 * maxj + 2, n + 1)
        // The window can grow past its first size by at most one per column; size generously.
        var column = [Double](repeating: 1, count: max(capacity, n + 2))
        for index in minj..<maxj { column[index] = 0 }
        for i in 1...m {
            let lastMin = minj, lastLength = length
            minj = max(Int(floor(Double(ng * i - h) / Double(mg))) + 1, 0)
            minj = min(minj, n)
            maxj = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxj <= minj { return 1 }
            var value = minj == 0 ? 0.0 : 1.0
            for offset in 0..<(maxj - minj) {
                let j = offset + minj
                value = (column[offset + minj - lastMin] * Double(i) + value * Double(j)) / Double(i + j)
                column[offset] = value
            }
            length = maxj - minj
            if lastLength > length {
                for index in length..<(length + lastLength - length) where index < column.count { column[index] = 1 }
            }
        }
        return column[maxj - minj - 1]
    }
}
