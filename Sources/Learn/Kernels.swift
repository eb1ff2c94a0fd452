/// Hot loops of the linear algebra, written with SIMD accumulators so the compiler emits
/// vector instructions and independent add chains. The summation order is fixed, so results
/// are identical on every run and thread count.
enum Kernels {
    /// Σ a[i] * b[i] for i in 0..<count.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
        var first = SIMD4<Double>(), second = SIMD4<Double>()
        var index = 0
        while index + 8 <= count {
            first += UnsafeRawPointer(a + index).loadUnaligned(as: SIMD4<Double>.self) * UnsafeRawPointer(b + index).loadUnaligned(as: SIMD4<Double>.self)
            second += UnsafeRawPointer(a + index + 4).loadUnaligned(as: SIMD4<Double>.self) * UnsafeRawPointer(b + index + 4).loadUnaligned(as: SIMD4<Double>.self)
            index += 8
        }
        var sum = (first + second).sum()
        while index < count {
            sum += a[index] * b[index]
            index += 1
        }
        return sum
    }

    /// y[i] += alpha * x[i] for i in 0..<count.
    @inline(__always)
    static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ count: Int) {
        let scale = SIMD4<Double>(repeating: alpha)
        var index = 0
        while index + 4 <= count {
            let updated = UnsafeRawPointer(y + index).loadUnaligned(as: SIMD4<Double>.self) + scale * UnsafeRawPointer(x + index).loadUnaligned(as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(y + index).storeBytes(of: updated, as: SIMD4<Double>.self)
            index += 4
        }
        while index < count {
            y[index] += alpha * x[index]
            index += 1
        }
    }
}
