/// Decides whether a field's bytes are one of the NA tokens, without allocating.
/// Most fields are rejected by length, first and last byte before any comparison.
struct MissingValueMatcher: Sendable {
    private struct Token: Sendable {
        var bytes: [UInt8]
        var first: UInt8
        var last: UInt8
    }

    private let tokens: [Token]
    /// A one-word filter over (length, first byte, last byte): a clear bit means no token matches.
    private let filter: UInt64

    init(naValues: [String]) {
        tokens = naValues.filter { !$0.isEmpty }.map { Token(bytes: Array($0.utf8), first: $0.utf8.first!, last: $0.utf8.last!) }
        filter = tokens.reduce(0) { mask, token in mask | Self.filterBit(token.bytes.count, token.first, token.last) }
    }

    @inline(__always)
    private static func filterBit(_ count: Int, _ first: UInt8, _ last: UInt8) -> UInt64 {
        1 << ((UInt64(truncatingIfNeeded: count) &* 37 &+ UInt64(first) &* 11 &+ UInt64(last)) & 63)
    }

    @inline(__always)
    func isMissing(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        if count == 0 { return true }
        let first = bytes[0], last = bytes[count - 1]
        if filter & Self.filterBit(count, first, last) == 0 { return false }
        for token in tokens where token.bytes.count == count && token.first == first && token.last == last {
            if token.bytes.withUnsafeBufferPointer({ $0.elementsEqual(bytes) }) { return true }
        }
        return false
    }
}

/// true/false in any letter case; the only spellings inferred as boolean, as in pandas.
enum BooleanText {
    @inline(__always)
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        switch bytes.count {
        case 4:
            return bytes[0] | 0x20 == 0x74 && bytes[1] | 0x20 == 0x72 && bytes[2] | 0x20 == 0x75
                && bytes[3] | 0x20 == 0x65 ? true : nil
        case 5:
            return bytes[0] | 0x20 == 0x66 && bytes[1] | 0x20 == 0x61 && bytes[2] | 0x20 == 0x6C
                && bytes[3] | 0x20 == 0x73 && bytes[4] | 0x20 == 0x65 ? false : nil
        default:
            return nil
        }
    }
}
