/// Decides whether a field's bytes are one of the NA tokens, without allocating.
struct MissingValueMatcher: Sendable {
    private let tokens: [[UInt8]]
    private let longest: Int

    init(naValues: [String]) {
        tokens = naValues.filter { !$0.isEmpty }.map { Array($0.utf8) }
        longest = tokens.map(\.count).max() ?? 0
    }

    @inline(__always)
    func isMissing(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.isEmpty { return true }
        if bytes.count > longest { return false }
        for token in tokens where token.count == bytes.count {
            if token.withUnsafeBufferPointer({ $0.elementsEqual(bytes) }) { return true }
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
