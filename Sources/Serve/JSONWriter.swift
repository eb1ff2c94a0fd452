import Tabular
/// Writes response JSON straight into bytes: responses are built per request on the hot path,
/// so no intermediate dictionaries or Encodable round trips.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether the next value in the current array or object needs a comma first.
    private var needsComma: [Bool] = [false]

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    mutating func endObject() { needsComma.removeLast(); bytes.append(UInt8(ascii: "}")) }
    mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    mutating func endArray() { needsComma.removeLast(); bytes.append(UInt8(ascii: "]")) }

    /// A member's key; its value follows.
    mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    mutating func string(_ text: String) { separate(); appendQuoted(text) }
    mutating func bool(_ flag: Bool) { separate(); bytes.append(contentsOf: (flag ? "true" : "false").utf8) }
    mutating func null() { separate(); bytes.append(contentsOf: "null".utf8) }
    mutating func integer(_ value: Int) { separate(); bytes.append(contentsOf: String(value).utf8) }

    /// A finite number in its shortest round-trip form; a non-finite one as null (JSON has none).
    mutating func number(_ value: Double) {
        separate()
        guard value.isFinite else { bytes.append(contentsOf: "null".utf8); return }
        if value == value.rounded(.towardZero), abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
            if value == 0, value.sign == .minus { bytes.insert(UInt8(ascii: "-"), at: bytes.count - 1) }
            return
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    mutating func member(_ name: String, _ text: String) { key(name); string(text) }
    mutating func member(_ name: String, _ value: Int) { key(name); integer(value) }
    mutating func member(_ name: String, _ flag: Bool) { key(name); bool(flag) }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    private mutating func appendQuoted(_ text: String) { JSONString.appendQuoted(text, to: &bytes) }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var writer = JSONWriter(capacity: text.utf8.count + 2)
        writer.string(text)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
