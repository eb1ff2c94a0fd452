import Tabular
import Foundation

/// The losses gradient boosting minimizes, with scikit-learn's baselines and derivatives.
enum BoostingLoss: Sendable {
    /// Squared error (half, as scikit-learn): gradient prediction - y, hessian 1.
    case squaredError
    /// Binary log loss on one logit.
    case binaryLogLoss
    /// Softmax cross-entropy with one raw score per class.
    case multinomial(classes: Int)

    var outputs: Int {
        if case .multinomial(let classes) = self { return classes }
        return 1
    }

    /// The constant raw prediction boosting starts from.
    func baseline(_ target: Target, rows: [Int]) -> [Double] {
        switch (self, target) {
        case (.squaredError, .values(let values)):
            return [rows.reduce(0.0) { $0 + values[$1] } / Double(rows.count)]
        case (.binaryLogLoss, .classes(let labels, _)):
            let positive = Double(rows.filter { labels[$0] == 1 }.count) / Double(rows.count)
            let p = min(max(positive, 1e-15), 1 - 1e-15)
            return [log(p / (1 - p))]
        case (.multinomial(let classes), .classes(let labels, _)):
            var counts = [Double](repeating: 0, count: classes)
            for row in rows { counts[labels[row]] += 1 }
            let logs = counts.map { log(min(max($0 / Double(rows.count), 1e-15), 1 - 1e-15)) }
            let mean = logs.reduce(0, +) / Double(classes)
            return logs.map { $0 - mean }
        default:
            return [0]
        }
    }

    /// Writes gradients and hessians (output-major: [output * n + i]) at the raw predictions.
    func derivatives(_ target: Target, raw: [Double], rows n: Int, gradients: inout [Double], hessians: inout [Double], threads: Int = 1,
                     pool: WorkerPool? = nil) {
        guard n > 0 else { return }
        // Each row's derivatives depend on its own scores only: row ranges run in parallel.
        let ranges = RowParallelism.ranges(rows: n, available: threads)
        gradients.withUnsafeMutableBufferPointer { gradients in
            hessians.withUnsafeMutableBufferPointer { hessians in
                let g = SharedPointer(gradients.baseAddress!), h = SharedPointer(hessians.baseAddress!)
                ParallelWork.forEach(count: ranges.count, threads: threads, pool: pool) { part in
                    derivatives(target, raw: raw, rows: n, range: ranges[part], gradients: g.base, hessians: h.base)
                }
            }
        }
    }

    private func derivatives(_ target: Target, raw: [Double], rows n: Int, range: Range<Int>, gradients: UnsafeMutablePointer<Double>, hessians: UnsafeMutablePointer<Double>) {
        switch (self, target) {
        case (.squaredError, .values(let values)):
            for i in range {
                gradients[i] = raw[i] - values[i]
                hessians[i] = 1
            }
        case (.binaryLogLoss, .classes(let labels, _)):
            for i in range {
                let p = Logistic.sigmoid(raw[i])
                gradients[i] = p - (labels[i] == 1 ? 1 : 0)
                hessians[i] = p * (1 - p)
            }
        case (.multinomial(let classes), .classes(let labels, _)):
            var exponentials = [Double](repeating: 0, count: classes)
            for i in range {
                var largest = -Double.infinity
                for k in 0..<classes { largest = max(largest, raw[k * n + i]) }
                var total = 0.0
                for k in 0..<classes {
                    exponentials[k] = exp(raw[k * n + i] - largest)
                    total += exponentials[k]
                }
                for k in 0..<classes {
                    let p = exponentials[k] / total
                    gradients[k * n + i] = p - (labels[i] == k ? 1 : 0)
                    hessians[k * n + i] = p * (1 - p)
                }
            }
        default:
            break
        }
    }

    /// Mean loss at the raw predictions (output-major), for early stopping.
    func loss(_ target: Target, raw: [Double], rows n: Int) -> Double {
        var total = 0.0
        switch (self, target) {
        case (.squaredError, .values(let values)):
            for i in 0..<n { total += 0.5 * (raw[i] - values[i]) * (raw[i] - values[i]) }
        case (.binaryLogLoss, .classes(let labels, _)):
            for i in 0..<n { total += Logistic.softplus(raw[i]) - (labels[i] == 1 ? raw[i] : 0) }
        case (.multinomial(let classes), .classes(let labels, _)):
            for i in 0..<n {
                var largest = -Double.infinity
                for k in 0..<classes { largest = max(largest, raw[k * n + i]) }
                var sum = 0.0
                for k in 0..<classes { sum += exp(raw[k * n + i] - largest) }
                total += largest + log(sum) - raw[labels[i] * n + i]
            }
        default:
            break
        }
        return total / Double(max(1, n))
    }
}
