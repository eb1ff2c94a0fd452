/// Least-significant-digit radix sorts: the trees' sorts of many values, where a comparison
/// sort costs several times more.
enum RadixSort {
    /// `values` (no NaN) in ascending order; -0 comes out as +0, the value it equals. Byte by
    /// byte on the bits of the doubles, skipping the bytes every value shares (the sign and
    /// exponent bytes of most columns): boosting's binning sorts each feature once per fit.
    static func ascending(_ values: [Double]) -> [Double] {
        let count = values.count
        guard count > 1 else { return values.map { $0 == 0 ? 0 : $0 } }
        var keys = [UInt64](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = key(values[index]) }
            initialized = count
        }
        // One pass counts every byte position's digits.
        var counts = [Int](repeating: 0, count: 8 * 256)
        keys.withUnsafeBufferPointer { source in
            counts.withUnsafeMutableBufferPointer { tally in
                for key in source {
                    for byte in 0..<8 { tally[byte &<< 8 &+ Int(truncatingIfNeeded: key &>> UInt64(byte &* 8)) & 255] &+= 1 }
                }
            }
        }
        var spare = [UInt64](repeating: 0, count: count)
        for byte in 0..<8 {
            let digits = counts[(byte * 256)..<(byte * 256 + 256)]
            // Every key has the same digit here: this pass would not move anything.
            if digits.contains(count) { continue }
            var starts = [Int](repeating: 0, count: 256)
            var next = 0
            for digit in 0..<256 {
                starts[digit] = next
                next += digits[byte * 256 + digit]
            }
            keys.withUnsafeBufferPointer { source in
                spare.withUnsafeMutableBufferPointer { target in
                    starts.withUnsafeMutableBufferPointer { starts in
                        let shift = UInt64(byte * 8)
                        for key in source {
                            let digit = Int(truncatingIfNeeded: key &>> shift) & 255
                            target[starts[digit]] = key
                            starts[digit] &+= 1
                        }
                    }
                }
            }
            swap(&keys, &spare)
        }
        return keys.map(value)
    }

    /// An unsigned key that orders as the double does: negative values have every bit
    /// flipped, others the sign bit set.
    @inline(__always)
    static func key(_ value: Double) -> UInt64 {
        let bits = value == 0 ? 0 : value.bitPattern
        return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
    }

    @inline(__always)
    static func value(_ key: UInt64) -> Double {
        Double(bitPattern: key >> 63 == 1 ? key & ~(1 << 63) : ~key)
    }

    /// LSD radix sort of 64-bit keys by their high 32 bits, 11 bits per pass, enough passes for
    /// `maxRank` (stable, so equal ranks keep sample order): the exact forest's sort of a
    /// node's rows by a feature's value ranks.
    static func sortByHighWord(_ keys: inout [UInt64], _ scratch: inout [UInt64], _ start: Int, _ end: Int, maxRank: Int) {
        var passes = 1
        while (1 << (11 * passes)) < maxRank { passes += 1 }
        var counts = [Int](repeating: 0, count: 2048)
        keys.withUnsafeMutableBufferPointer { source in
            scratch.withUnsafeMutableBufferPointer { target in
                var from = source.baseAddress! + start, to = target.baseAddress! + start
                let count = end - start
                for pass in 0..<passes {
                    let shift = UInt64(32 + 11 * pass)
                    for bucket in 0..<2048 { counts[bucket] = 0 }
                    for k in 0..<count { counts[Int((from[k] >> shift) & 2047)] += 1 }
                    var total = 0
                    for bucket in 0..<2048 {
                        let size = counts[bucket]
                        counts[bucket] = total
                        total += size
                    }
                    for k in 0..<count {
                        let bucket = Int((from[k] >> shift) & 2047)
                        to[counts[bucket]] = from[k]
                        counts[bucket] += 1
                    }
                    swap(&from, &to)
                }
                if passes % 2 == 1 {
                    // Result is in scratch: copy back.
                    (source.baseAddress! + start).update(from: target.baseAddress! + start, count: count)
                }
            }
        }
    }
}
