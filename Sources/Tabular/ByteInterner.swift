/// Assigns dense codes to distinct byte strings without allocating per lookup:
/// an open-addressing hash table over an arena holding each distinct value once.
public struct ByteInterner: Sendable {
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var offsets: [Int] = [0]
    private var arena: [UInt8] = []

    public init(expectedDistinct: Int = 64) {
        var capacity = 16
        while capacity < expectedDistinct * 2 { capacity <<= 1 }
        slots = Array(repeating: -1, count: capacity)
    }

    public var count: Int { hashes.count }

    /// The code of `bytes`, adding it when new.
    public mutating func code(for bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let existing = slots[slot]
            if existing < 0 { break }
            if hashes[Int(existing)] == hash, equals(Int(existing), bytes) { return existing }
            slot = (slot + 1) & mask
        }
        let code = Int32(hashes.count)
        slots[slot] = code
        hashes.append(hash)
        arena.append(contentsOf: bytes)
        offsets.append(arena.count)
        if hashes.count * 2 > slots.count { grow() }
        return code
    }

    /// The distinct values, in code order.
    public var strings: [String] {
        (0..<count).map { String(decoding: arena[offsets[$0]..<offsets[$0 + 1]], as: UTF8.self) }
    }

    private func equals(_ code: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = offsets[code]
        let length = offsets[code + 1] - start
        guard length == bytes.count else { return false }
        return arena.withUnsafeBufferPointer { stored in
            for index in 0..<length where stored[start + index] != bytes[index] { return false }
            return true
        }
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for code in 0..<hashes.count {
            var slot = Int(truncatingIfNeeded: hashes[code]) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(code)
        }
    }

    /// FNV-1a: short keys, no allocation.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
