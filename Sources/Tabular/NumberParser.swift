#if canImport(Glibc)
import Glibc
#endif

/// Parses decimal text into `Double` without allocating.
///
/// The common case (at most 19 digits, a mantissa up to 2^53 and a power of ten within ±22) is
/// exact with one multiplication or division (Clinger's fast path); anything else goes to
/// `strtod`, so every result is correctly rounded.
public struct NumberParser: Sendable {
    public init() {}

    /// The number in `bytes`, or nil when the text is not a number. Surrounding spaces are allowed.
    @inline(__always)
    public func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let base = bytes.baseAddress else { return nil }
        var start = 0
        var end = bytes.count
        guard end > 0 else { return nil }
        // Spaces and tabs sort below every character a number starts or ends with.
        if base[0] <= 0x20 || base[end - 1] <= 0x20 {
            while start < end, base[start] == 0x20 || base[start] == 0x09 { start += 1 }
            while end > start, base[end - 1] == 0x20 || base[end - 1] == 0x09 { end -= 1 }
            guard start < end else { return nil }
        }

        var index = start
        let negative = base[index] == UInt8(ascii: "-")
        if negative || base[index] == UInt8(ascii: "+") { index += 1 }
        var mantissa: UInt64 = 0
        let integerStart = index
        Self.appendDigits(base, &index, end, &mantissa)
        var digits = index - integerStart
        var exponent = 0
        if index < end, base[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            Self.appendDigits(base, &index, end, &mantissa)
            exponent = fractionStart - index
            digits += index - fractionStart
        }
        guard digits > 0 else { return parseSpecial(bytes, from: index, to: end, negative: negative) }
        if index < end, base[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < end, base[index] == UInt8(ascii: "-") || base[index] == UInt8(ascii: "+") {
                exponentNegative = base[index] == UInt8(ascii: "-")
                index += 1
            }
            var written = 0
            let exponentStart = index
            while index < end {
                let digit = base[index] &- 0x30
                if digit >= 10 { break }
                if written < 100_000 { written = written * 10 + Int(digit) }
                index += 1
            }
            guard index > exponentStart else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard index == end else { return nil }

        // Up to 19 digits the mantissa is exact (leading zeros count, which only sends a few
        // inputs to the slow path).
        if digits <= 19, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / Self.powerOfTen(-exponent) : value * Self.powerOfTen(exponent)
            return negative ? -value : value
        }
        return slowParse(UnsafeBufferPointer(rebasing: bytes[start..<end]))
    }

    /// Appends the decimal digits at `index` to `mantissa` (wrapping past 19 digits, which the
    /// caller sends to the slow path) and moves `index` past them.
    @inline(__always)
    private static func appendDigits(_ base: UnsafePointer<UInt8>, _ index: inout Int, _ end: Int, _ mantissa: inout UInt64) {
        while index < end {
            let digit = base[index] &- 0x30
            if digit >= 10 { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            index += 1
        }
    }

    /// 10^exponent for 0...22, all exactly representable.
    @inline(__always)
    private static func powerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    /// inf, infinity and nan, any case, as pandas accepts them.
    private func parseSpecial(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, negative: Bool
    ) -> Double? {
        let length = end - start
        guard length == 3 || length == 8 else { return nil }
        var word: [UInt8] = []
        word.reserveCapacity(length)
        for index in start..<end { word.append(bytes[index] | 0x20) }
        switch String(decoding: word, as: UTF8.self) {
        case "inf", "infinity": return negative ? -.infinity : .infinity
        case "nan": return .nan
        default: return nil
        }
    }

    private func slowParse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            for index in 0..<bytes.count { buffer[index] = CChar(bitPattern: bytes[index]) }
            buffer[bytes.count] = 0
            var endPointer: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &endPointer)
            guard let endPointer, endPointer - buffer.baseAddress! == bytes.count else { return nil }
            return value
        }
    }
}
