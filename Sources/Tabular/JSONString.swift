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

extension JSONString {
    /// Appends `text` as a JSON string literal: quote, backslash and control characters (and
    /// DEL, which YAML does not print either) escaped, everything else as UTF-8. The one
    /// encoder: the server's JSON writer, and the YAML the deploy planners and the fuzzer
    /// write (a JSON string is a valid YAML double-quoted scalar).
    public static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `text` as a JSON string literal.
    public static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        appendQuoted(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
