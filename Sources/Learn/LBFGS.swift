/// Limited-memory BFGS with a strong-Wolfe line search (Nocedal & Wright, algorithms 7.4,
/// 3.5 and 3.6), for the smooth convex objectives of the linear models.
struct LBFGS {
    var memory = 10
    var maxIterations = 100
    /// Stop when the largest gradient component is at most this (scipy's `pgtol`).
    var gradientTolerance = 1e-4
    /// Stop when the objective's relative decrease falls below this (scipy's `factr * eps`).
    var relativeDecrease = 64 * Double.ulpOfOne

    struct Outcome {
        var point: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    /// `evaluate` returns the objective and writes its gradient.
    func minimize(from start: [Double], _ evaluate: ([Double], inout [Double]) -> Double) -> Outcome {
        let n = start.count
        var x = start
        var gradient = [Double](repeating: 0, count: n)
        var value = evaluate(x, &gradient)
        var steps: [[Double]] = [], changes: [[Double]] = [], rhos: [Double] = []
        var iteration = 0
        while iteration < maxIterations {
            if gradient.map(abs).max() ?? 0 <= gradientTolerance {
                return Outcome(point: x, value: value, iterations: iteration, converged: true)
            }
            // Two-loop recursion: direction = -H * gradient.
            var q = gradient
            var alphas = [Double](repeating: 0, count: steps.count)
            for i in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[i] = rhos[i] * dot(steps[i], q)
                axpy(-alphas[i], changes[i], &q)
            }
            if let lastStep = steps.last, let lastChange = changes.last {
                let scale = dot(lastStep, lastChange) / dot(lastChange, lastChange)
                for i in 0..<n { q[i] *= scale }
            } else {
                let norm = dot(gradient, gradient).squareRoot()
                if norm > 0 { for i in 0..<n { q[i] /= norm } }
            }
            for i in 0..<steps.count {
                let beta = rhos[i] * dot(changes[i], q)
                axpy(alphas[i] - beta, steps[i], &q)
            }
            var direction = q.map { -$0 }
            var slope = dot(gradient, direction)
            if slope >= 0 {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                steps.removeAll(); changes.removeAll(); rhos.removeAll()
                direction = gradient.map { -$0 }
                slope = -dot(gradient, gradient)
            }
            guard let step = lineSearch(x, value, gradient, direction, slope, evaluate) else {
                return Outcome(point: x, value: value, iterations: iteration, converged: false)
            }
            iteration += 1
            let previousValue = value
            var change = [Double](repeating: 0, count: n)
            var moved = [Double](repeating: 0, count: n)
            for i in 0..<n {
                moved[i] = step.point[i] - x[i]
                change[i] = step.gradient[i] - gradient[i]
            }
            x = step.point
            gradient = step.gradient
            value = step.value
            let curvature = dot(moved, change)
            if curvature > 1e-10 * dot(change, change) {
                if steps.count == memory { steps.removeFirst(); changes.removeFirst(); rhos.removeFirst() }
                steps.append(moved)
                changes.append(change)
                rhos.append(1 / curvature)
            }
            if (previousValue - value) <= relativeDecrease * max(abs(previousValue), abs(value), 1) {
                return Outcome(point: x, value: value, iterations: iteration, converged: true)
            }
        }
        let converged = gradient.map(abs).max() ?? 0 <= gradientTolerance
        return Outcome(point: x, value: value, iterations: iteration, converged: converged)
    }

    private struct Step {
        var point: [Double]
        var value: Double
        var gradient: [Double]
    }

    private func lineSearch(
        _ x: [Double], _ value: Double, _ gradient: [Double], _ direction: [Double], _ slope: Double,
        _ evaluate: ([Double], inout [Double]) -> Double
    ) -> Step? {
        let c1 = 1e-4, c2 = 0.9
        func probe(_ alpha: Double) -> (Step, Double) {
            var point = x
            axpy(alpha, direction, &point)
            var newGradient = [Double](repeating: 0, count: x.count)
            let newValue = evaluate(point, &newGradient)
            return (Step(point: point, value: newValue, gradient: newGradient), dot(newGradient, direction))
        }
        func zoom(_ lowAlpha: Double, _ low: (Step, Double), _ highAlpha: Double) -> Step? {
            var lowAlpha = lowAlpha, low = low, highAlpha = highAlpha
            for _ in 0..<30 {
                let alpha = (lowAlpha + highAlpha) / 2
                let trial = probe(alpha)
                if !trial.0.value.isFinite || trial.0.value > value + c1 * alpha * slope || trial.0.value >= low.0.value {
                    highAlpha = alpha
                } else {
                    if abs(trial.1) <= -c2 * slope { return trial.0 }
                    if trial.1 * (highAlpha - lowAlpha) >= 0 { highAlpha = lowAlpha }
                    lowAlpha = alpha
                    low = trial
                }
            }
            return low.0.value < value ? low.0 : nil
        }
        var previousAlpha = 0.0
        var previous = (Step(point: x, value: value, gradient: gradient), slope)
        var alpha = 1.0
        for attempt in 0..<20 {
            let trial = probe(alpha)
            if !trial.0.value.isFinite || trial.0.value > value + c1 * alpha * slope || (attempt > 0 && trial.0.value >= previous.0.value) {
                return zoom(previousAlpha, previous, alpha)
            }
            if abs(trial.1) <= -c2 * slope { return trial.0 }
            if trial.1 >= 0 { return zoom(alpha, trial, previousAlpha) }
            previousAlpha = alpha
            previous = trial
            alpha *= 2
        }
        return previous.0.value < value ? previous.0 : nil
    }
}

@inline(__always)
func dot(_ a: [Double], _ b: [Double]) -> Double {
    a.withUnsafeBufferPointer { left in
        b.withUnsafeBufferPointer { right in
            var sum = 0.0
            for i in 0..<left.count { sum += left[i] * right[i] }
            return sum
        }
    }
}

/// y += a * x
@inline(__always)
func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
    x.withUnsafeBufferPointer { source in
        y.withUnsafeMutableBufferPointer { target in
            for i in 0..<source.count { target[i] += a * source[i] }
        }
    }
}
