import Foundation

/// The distribution of the two-sided one-sample Kolmogorov-Smirnov statistic D_n (SciPy's
/// `kstwo`), for the asymptotic p-value of the two-sample test. The survival function
/// follows Simard and L'Ecuyer (2011): exact formulas at the ends of the support, Durbin's
/// matrix (Marsaglia-Tsang-Wang), Pomeranz's recursion, Smirnov's one-sided series and the
/// Pelz-Good expansion, each where it is accurate.
public enum KolmogorovDistribution {
    private static let scale = 0x1p128
    private static let inverseScale = 0x1p-128

    /// P(D_n > x).
    public static func survival(n: Int, _ x: Double) -> Double {
        guard n > 0, !x.isNaN else { return .nan }
        if x >= 1 { return 0 }
        if x <= 0 { return 1 }
        let t = Double(n) * x
        if t <= 1 {
            if t <= 0.5 { return 1 }
            let cdf: Double
            if n <= 140 {
                var product = 1.0
                for i in 1...n { product *= Double(i) * (1 / Double(n)) * (2 * t - 1) }
                cdf = product
            } else {
                cdf = exp(logFactorialOverPower(n) + Double(n) * log(2 * t - 1))
            }
            return clip(1 - cdf)
        }
        if t >= Double(n - 1) { return clip(2 * pow(1 - x, Double(n))) }
        if x >= 0.5 { return clip(2 * smirnov(n: n, x)) }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 { return clip(1 - durbin(n: n, x)) }
            if nxSquared <= 4 { return clip(1 - pomeranz(n: n, x)) }
            return clip(2 * smirnov(n: n, x))
        }
        if nxSquared >= 370 { return 0 }
        if nxSquared >= 2.2 { return clip(2 * smirnov(n: n, x)) }
        let cdf: Double
        if nxSquared >= 18 {
            cdf = 1
        } else if n <= 100_000 && Double(n) * pow(x, 1.5) <= 1.4 {
            cdf = durbin(n: n, x)
        } else {
            cdf = pelzGood(n: n, x)
        }
        return clip(1 - clip(cdf))
    }

    private static func clip(_ p: Double) -> Double { min(max(p, 0), 1) }

    /// log(n!/n^n) by Stirling's series.
    private static func logFactorialOverPower(_ n: Int) -> Double {
        let coefficients = [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
                            -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2]
        let r = 1 / Double(n)
        var polynomial = 0.0
        for coefficient in coefficients { polynomial = polynomial * (r / Double(n)) + coefficient }
        return log(Double(n)) / 2 - Double(n) + log(2 * Double.pi) / 2 + r * polynomial
    }

    /// Smirnov's one-sided survival P(D_n⁺ ≥ x), by the Birnbaum-Tingey series; every term is
    /// positive, so summing them in logarithms loses nothing.
    static func smirnov(n: Int, _ x: Double) -> Double {
        if x >= 1 { return 0 }
        if x <= 0 { return 1 }
        let nd = Double(n)
        let last = Int(floor(nd * (1 - x)))
        let logFactorialN = GammaFunctions.logGamma(nd + 1)
        var sum = 0.0
        for j in 0...max(0, min(last, n)) {
            let jd = Double(j)
            let remaining = 1 - x - jd / nd
            if remaining <= 0 && n - j > 0 { continue }
            var logTerm = logFactorialN - GammaFunctions.logGamma(jd + 1) - GammaFunctions.logGamma(nd - jd + 1) + (jd - 1) * log(x + jd / nd)
            if n - j > 0 { logTerm += (nd - jd) * log(remaining) }
            sum += exp(logTerm)
        }
        return min(max(x * sum, 0), 1)
    }

    /// P(D_n ≤ x) by Durbin's matrix method as Marsaglia, Tsang and Wang compute it: the
    /// (k,k) entry of H^n times n!/n^n, with exponent bookkeeping against overflow.
    static func durbin(n: Int, _ d: Double) -> Double {
        if d >= 1 { return 1 }
        let nd = Double(n) * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1
        var v = (1...m).map { 1 - pow(h, Double($0)) }
        var w = [Double](repeating: 0, count: m)
        var factorial = 1.0
        for j in 1...m {
            w[j - 1] = factorial
            factorial /= Double(j)
            v[j - 1] *= factorial
        }
        let tail = pow(max(2 * h - 1, 0), Double(m)) - 2 * pow(h, Double(m))
        v[m - 1] = (1 + tail) * factorial
        var matrix = [Double](repeating: 0, count: m * m)
        for i in 1..<max(m, 1) {
            for row in (i - 1)..<m { matrix[row * m + i] = w[row - (i - 1)] }
        }
        for row in 0..<m { matrix[row * m] = v[row] }
        for column in 0..<m { matrix[(m - 1) * m + column] = v[m - 1 - column] }
        var power = [Double](repeating: 0, count: m * m)
        for i in 0..<m { power[i * m + i] = 1 }
        var exponent = 0, matrixExponent = 0
        var remaining = n
        while remaining > 0 {
            if remaining % 2 == 1 {
                power = multiply(power, matrix, m)
                exponent += matrixExponent
            }
            matrix = multiply(matrix, matrix, m)
            matrixExponent *= 2
            if abs(matrix[(k - 1) * m + (k - 1)]) > scale {
                for index in matrix.indices { matrix[index] /= scale }
                matrixExponent += 128
            }
            remaining /= 2
        }
        var p = power[(k - 1) * m + (k - 1)]
        for i in 1...n {
            p = Double(i) * p / Double(n)
            if abs(p) < inverseScale {
                p *= scale
                exponent -= 128
            }
        }
        if exponent != 0 { p = scalbn(p, exponent) }
        return clip(p)
    }

    private static func multiply(_ a: [Double], _ b: [Double], _ m: Int) -> [Double] {
        var result = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for k in 0..<m {
                let left = a[i * m + k]
                if left == 0 { continue }
                for j in 0..<m { result[i * m + j] += left * b[k * m + j] }
            }
        }
        return result
    }

    /// The column range of row i in Pomeranz's recursion.
    private static func pomeranzRange(_ i: Int, n: Int, ll: Int, ceilF: Int, roundF: Int) -> (Int, Int) {
        var j1: Int, j2: Int
        if i == 0 {
            (j1, j2) = (-ll - ceilF - 1, ll + ceilF - 1)
        } else {
            let half = (i + 1) / 2, odd = (i + 1) % 2 == 0
            if odd {
                if half == n + 1 {
                    (j1, j2) = (n - ll - ceilF - 1, n + ll + ceilF - 1)
                } else {
                    (j1, j2) = (half - 1 - ll - roundF - 1, half + ll - 1 + ceilF - 1)
                }
            } else {
                (j1, j2) = (half - 1 - ll - 1, half + ll + roundF - 1)
            }
        }
        return (max(j1 + 2, 0), min(j2, n))
    }

    /// P(D_n ≤ x) by Pomeranz's recursion (small n, middle of the distribution).
    static func pomeranz(n: Int, _ x: Double) -> Double {
        let t = Double(n) * x
        let ll = Int(floor(t))
        let f = t - Double(ll)
        let g = min(f, 1 - f)
        let ceilF = f > 0 ? 1 : 0, roundF = f > 0.5 ? 1 : 0
        let count = 2 * (ll + 1)
        var gPower = [Double](repeating: 1, count: count), twoGPower = gPower, oneMinusTwoGPower = gPower
        let nd = Double(n)
        for m in 1..<count {
            gPower[m] = gPower[m - 1] * (g / nd) / Double(m)
            twoGPower[m] = twoGPower[m - 1] * (2 * g / nd) / Double(m)
            oneMinusTwoGPower[m] = oneMinusTwoGPower[m - 1] * ((1 - 2 * g) / nd) / Double(m)
        }
        var previous = [Double](repeating: 0, count: count), current = [Double](repeating: 0, count: count)
        current[0] = 1
        var previousStart = 0, currentStart = 0
        var exponent = 0
        var (j1, j2) = pomeranzRange(0, n: n, ll: ll, ceilF: ceilF, roundF: roundF)
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&previous, &current)
            swap(&previousStart, &currentStart)
            for index in current.indices { current[index] = 0 }
            (j1, j2) = pomeranzRange(i, n: n, ll: ll, ceilF: ceilF, roundF: roundF)
            let powers = (i == 1 || i == 2 * n + 1) ? gPower : (i % 2 == 1 ? twoGPower : oneMinusTwoGPower)
            let span = j2 - k1 + 1
            if span > 0 {
                let start = j1 - k1, length = j2 - j1 + 1
                // Entries start..<start+length of the full convolution of the two windows.
                for out in 0..<max(length, 0) {
                    let position = start + out
                    var sum = 0.0
                    for a in 0..<span {
                        let b = position - a
                        if b < 0 || b >= span { continue }
                        let index = k1 - previousStart + a
                        if index < 0 || index >= previous.count { continue }
                        sum += previous[index] * powers[b]
                    }
                    current[out] = sum
                }
                let largest = current.max() ?? 0
                if largest > 0 && largest < inverseScale {
                    for index in current.indices { current[index] *= scale }
                    exponent -= 128
                }
                currentStart = previousStart + j1 - k1
            }
        }
        var answer = current[n - currentStart]
        for m in 1...n {
            if abs(answer) > scale {
                answer *= inverseScale
                exponent += 128
            }
            answer *= Double(m)
        }
        if exponent != 0 { answer = scalbn(answer, exponent) }
        return clip(answer)
    }

    /// P(D_n ≤ x) by the Pelz-Good asymptotic expansion (large n).
    static func pelzGood(n: Int, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let z = sqrt(Double(n)) * x
        let z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2
        let pi2 = Double.pi * Double.pi, pi4 = pi2 * pi2, pi6 = pi4 * pi2
        let qLog = -pi2 / 8 / z2
        if qLog < -708 { return 0 }
        var q = exp(qLog)
        let k1a = -z2, k1b = pi2 / 4
        let k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16
        let k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16
        let k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * pow(z, 8)
        var terms = [0.0, 0.0, 0.0, 0.0]
        let maxK = Int((16 * z / Double.pi).rounded(.up))
        if maxK >= 1 {
            for k in stride(from: maxK, through: 1, by: -1) {
                let m = Double(2 * k - 1)
                let m2 = m * m, m4 = m2 * m2, m6 = m4 * m2
                let qPower = pow(q, Double(8 * k))
                let coefficients = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
                for index in 0..<4 { terms[index] = terms[index] * qPower + coefficients[index] }
            }
        }
        let sqrt2pi = sqrt(2 * Double.pi)
        let denominators = [z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)]
        for index in 0..<4 { terms[index] = terms[index] * q * sqrt2pi / denominators[index] }
        q = exp(-pi2 / 2 / z2)
        var extra2 = 0.0, extra3 = 0.0
        let sqrt3z = 3.0.squareRoot() * z
        if maxK >= 1 {
            for k in stride(from: maxK, through: 1, by: -1) {
                let kd = Double(k), k2 = kd * kd
                let qPower = pow(q, k2)
                extra2 += k2 * qPower
                let kPi = Double.pi * kd
                extra3 += (sqrt3z + kPi) * (sqrt3z - kPi) * k2 * qPower
            }
        }
        terms[2] += extra2 * pi2 * sqrt2pi / (-36 * z3)
        terms[3] += extra3 * pi2 * sqrt2pi / (216 * z6)
        var sum = 0.0
        for index in 0..<4 { sum += terms[index] / pow(Double(n), Double(index) / 2) }
        return sum
    }
}
