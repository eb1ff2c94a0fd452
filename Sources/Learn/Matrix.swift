/// A dense row-major matrix of doubles: the input every model fits on.
public struct Matrix: Sendable, Equatable, Codable {
    public let rows: Int
    public let columns: Int
    /// `values[row * columns + column]`.
    public var values: [Double]

    private enum CodingKeys: String, CodingKey { case rows, columns, values }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rows = try container.decode(Int.self, forKey: .rows)
        columns = try container.decode(Int.self, forKey: .columns)
        values = try container.decodePacked(Double.self, forKey: .values, userInfo: decoder.userInfo)
        // A shape from a file is untrusted: its product must not overflow.
        let (size, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard rows >= 0, columns >= 0, !overflow, values.count == size else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath, debugDescription: "matrix storage does not match its shape"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(columns, forKey: .columns)
        try container.encodePacked(values, forKey: .values, userInfo: encoder.userInfo)
    }

    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "matrix storage does not match its shape")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, values: [Double](repeating: value, count: rows * columns))
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// A matrix with the given rows, in the given order.
    public func taking(rows indices: [Int]) -> Matrix {
        var output = [Double]()
        output.reserveCapacity(indices.count * columns)
        values.withUnsafeBufferPointer { source in
            for row in indices {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: source[(row * columns)..<((row + 1) * columns)]))
            }
        }
        return Matrix(rows: indices.count, columns: columns, values: output)
    }

    public func transposed() -> Matrix {
        var output = [Double](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for row in 0..<rows {
                    for column in 0..<columns { target[column * rows + row] = source[row * columns + column] }
                }
            }
        }
        return Matrix(rows: columns, columns: rows, values: output)
    }

    /// Column means.
    public func columnMeans() -> [Double] {
        var sums = [Double](repeating: 0, count: columns)
        values.withUnsafeBufferPointer { source in
            for row in 0..<rows {
                for column in 0..<columns { sums[column] += source[row * columns + column] }
            }
        }
        return sums.map { rows > 0 ? $0 / Double(rows) : 0 }
    }
}

/// Small dense linear algebra for the linear models.
enum LinearAlgebra {
    /// Solves `a x = b` for a symmetric positive semi-definite `a` (n x n, row-major) by a
    /// Cholesky factorization; directions with no support (rank deficiency) get x = 0, which
    /// still gives a least-squares solution.
    static func solveSymmetric(_ a: [Double], _ b: [Double], size n: Int) -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        var skipped = [Bool](repeating: false, count: n)
        let scale = (0..<n).map { a[$0 * n + $0] }.max() ?? 1
        let tolerance = max(scale, 1) * 1e-12 * Double(max(n, 1))
        for j in 0..<n {
            var diagonal = a[j * n + j]
            for k in 0..<j { diagonal -= l[j * n + k] * l[j * n + k] }
            if diagonal <= tolerance {
                skipped[j] = true
                continue
            }
            let root = diagonal.squareRoot()
            l[j * n + j] = root
            for i in (j + 1)..<max(j + 1, n) {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = sum / root
            }
        }
        // Forward then back substitution, skipping unsupported directions.
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n where !skipped[i] {
            var sum = b[i]
            for k in 0..<i where !skipped[k] { sum -= l[i * n + k] * y[k] }
            y[i] = sum / l[i * n + i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) where !skipped[i] {
            var sum = y[i]
            for k in (i + 1)..<max(i + 1, n) where !skipped[k] { sum -= l[k * n + i] * x[k] }
            x[i] = sum / l[i * n + i]
        }
        return x
    }

    /// Ridge weights from the dual system (Xc Xcᵀ + alpha I) c = yc, w = Xcᵀ c, for centered
    /// data with more columns than rows.
    static func solveKernelRidge(_ x: Matrix, centeredBy means: [Double], target y: [Double], targetMean: Double, alpha: Double) -> [Double] {
        let n = x.rows, p = x.columns
        var centered = x.values
        var kernel = [Double](repeating: 0, count: n * n)
        centered.withUnsafeMutableBufferPointer { rows in
            for i in 0..<n { for j in 0..<p { rows[i * p + j] -= means[j] } }
            let base = rows.baseAddress!
            for i in 0..<n {
                for k in i..<n {
                    let value = Kernels.dot(base + i * p, base + k * p, p)
                    kernel[i * n + k] = value
                    kernel[k * n + i] = value
                }
                kernel[i * n + i] += alpha
            }
        }
        let dual = solveSymmetric(kernel, y.map { $0 - targetMean }, size: n)
        var weights = [Double](repeating: 0, count: p)
        for i in 0..<n where dual[i] != 0 {
            for j in 0..<p { weights[j] += centered[i * p + j] * dual[i] }
        }
        return weights
    }

    /// Xᵀ X and Xᵀ y for centered data (the normal equations), computed in one pass.
    static func gram(_ x: Matrix, centeredBy means: [Double], target y: [Double], targetMean: Double) -> (xtx: [Double], xty: [Double]) {
        let p = x.columns
        var xtx = [Double](repeating: 0, count: p * p)
        var xty = [Double](repeating: 0, count: p)
        var row = [Double](repeating: 0, count: p)
        x.values.withUnsafeBufferPointer { source in
            for i in 0..<x.rows {
                for j in 0..<p { row[j] = source[i * p + j] - means[j] }
                let centeredTarget = y[i] - targetMean
                for j in 0..<p {
                    let value = row[j]
                    if value == 0 { continue }
                    xty[j] += value * centeredTarget
                    for k in j..<p { xtx[j * p + k] += value * row[k] }
                }
            }
        }
        for j in 0..<p {
            for k in 0..<j { xtx[j * p + k] = xtx[k * p + j] }
        }
        return (xtx, xty)
    }
}
