import Foundation

/// Distances between a reference and a current distribution, as SciPy and the drift tools
/// define them.
public enum DriftDistances {
    /// The first Wasserstein distance between two samples with equal weights (SciPy's
    /// `wasserstein_distance`): the area between their distribution functions. Both sorted.
    public static func wasserstein(sortedReference u: [Double], sortedCurrent v: [Double]) -> Double {
        guard !u.isEmpty, !v.isEmpty else { return .nan }
        var i = 0, j = 0
        var area = 0.0
        var previous = min(u[0], v[0])
        let nu = Double(u.count), nv = Double(v.count)
        while i < u.count || j < v.count {
            let value = i < u.count && (j >= v.count || u[i] <= v[j]) ? u[i] : v[j]
            area += abs(Double(i) / nu - Double(j) / nv) * (value - previous)
            previous = value
            while i < u.count && u[i] <= value { i += 1 }
            while j < v.count && v[j] <= value { j += 1 }
        }
        return area
    }

    /// The Jensen-Shannon distance (SciPy's `jensenshannon`, natural logarithm): the square
    /// root of the mean Kullback-Leibler divergence of each distribution from their average.
    /// Counts or shares per category, in the same order; each is normalized first.
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        let pTotal = p.reduce(0, +), qTotal = q.reduce(0, +)
        guard pTotal > 0, qTotal > 0, p.count == q.count else { return .nan }
        var divergence = 0.0
        for index in p.indices {
            let a = p[index] / pTotal, b = q[index] / qTotal
            let mean = (a + b) / 2
            if a > 0 { divergence += a * log(a / mean) }
            if b > 0 { divergence += b * log(b / mean) }
        }
        return (max(divergence, 0) / 2).squareRoot()
    }

    /// The population stability index over the same bins: Σ (c − r)·ln(c/r) with shares,
    /// an empty bin counted as 0.0001 of its side (Evidently's convention).
    public static func populationStability(reference: [Double], current: [Double]) -> Double {
        let rTotal = reference.reduce(0, +), cTotal = current.reduce(0, +)
        guard rTotal > 0, cTotal > 0, reference.count == current.count else { return .nan }
        var index = 0.0
        for bin in reference.indices {
            let r = max(reference[bin] / rTotal, 0.0001), c = max(current[bin] / cTotal, 0.0001)
            index += (c - r) * log(c / r)
        }
        return index
    }
}
