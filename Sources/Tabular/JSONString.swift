/// JSON string literals (RFC 8259 escapes, UTF-16 surrogate pairs): the one decoder behind the
/// JSON Lines reader and the prediction server's request parser.
public enum JSONString {
    /// Where (a byte offset) and why a literal is not valid.
    public struct Failure: Error, Sendable, Equatable {
        public var offset: Int
        public var message: String
    }

    /// The literal whose opening quote is at `index`; `index` ends past the closing quote. A
    /// line break inside is "unterminated" (a JSON Lines record ends at it).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) throws(Failure) -> String {
        let opening = index
        index += 1
        let contentStart = index
        // Most strings have no escapes: one scan, one copy.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[contentStart..<index]), as: UTF8.self) else {
                    throw Failure(offset: contentStart, message: "invalid UTF-8 in a string")
                }
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            index += 1
        }
        var result = Array(UnsafeBufferPointer(rebasing: bytes[contentStart..<index]))
        while true {
            guard index < bytes.count, bytes[index] != 0x0A else { throw Failure(offset: opening, message: "unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { index += 1; break }
            if byte < 0x20 { throw Failure(offset: index, message: "control character in a string; escape it") }
            if byte != UInt8(ascii: "\\") { result.append(byte); index += 1; continue }
            index += 1
            guard index < bytes.count else { throw Failure(offset: index, message: "unterminated escape") }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): result.append(escaped)
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "r"): result.append(0x0D)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(bytes, at: &index)
                if (0xD800..<0xDC00).contains(scalar) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw Failure(offset: index, message: "unpaired UTF-16 surrogate in \\u escape")
                    }
                    index += 2
                    let low = try hex4(bytes, at: &index)
                    guard (0xDC00..<0xE000).contains(low) else { throw Failure(offset: index, message: "unpaired UTF-16 surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw Failure(offset: index, message: "invalid \\u escape") }
                result.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw Failure(offset: index - 2, message: "invalid escape '\\\(Character(Unicode.Scalar(escaped)))'")
            }
        }
        guard let text = String(validating: result, as: UTF8.self) else { throw Failure(offset: opening, message: "invalid UTF-8 in a string") }
        return text
    }

    private static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure(offset: index, message: "invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let digit: UInt32
            switch bytes[index] {
            case 0x30...0x39: digit = UInt32(bytes[index] - 0x30)
            case 0x41...0x46: digit = UInt32(bytes[index] - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(bytes[index] - 0x61 + 10)
            default: throw Failure(offset: index, message: "invalid \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }
}
