#if canImport(Glibc)
import Glibc
#endif

/// Parses decimal text into `Double` without allocating.
///
/// The common case (at most 19 significant digits, a mantissa below 2^53 and a power of ten
/// within ±22) is exact with one multiplication or division (Clinger's fast path); anything
/// else goes to `strtod`, so every result is correctly rounded.
struct NumberParser: Sendable {
    private let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The number in `bytes`, or nil when the text is not a number. Surrounding spaces are allowed.
    func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        guard start < end else { return nil }

        var index = start
        var negative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var sawDigit = false
        var truncated = false
        while index < end, bytes[index] &- 0x30 < 10 {
            sawDigit = true
            if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 0x30)
                if mantissa != 0 { significantDigits += 1 }
            } else {
                exponent += 1
                if bytes[index] != 0x30 { truncated = true }
            }
            index += 1
        }
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < end, bytes[index] &- 0x30 < 10 {
                sawDigit = true
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 0x30)
                    if mantissa != 0 { significantDigits += 1 }
                    exponent -= 1
                } else if bytes[index] != 0x30 {
                    truncated = true
                }
                index += 1
            }
        }
        guard sawDigit else { return parseSpecial(bytes, from: index, to: end, negative: negative) }
        if index < end, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var written = 0
            var sawExponentDigit = false
            while index < end, bytes[index] &- 0x30 < 10 {
                sawExponentDigit = true
                if written < 100_000 { written = written * 10 + Int(bytes[index] &- 0x30) }
                index += 1
            }
            guard sawExponentDigit else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard index == end else { return nil }

        if !truncated, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            return negative ? -value : value
        }
        return slowParse(UnsafeBufferPointer(rebasing: bytes[start..<end]))
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
