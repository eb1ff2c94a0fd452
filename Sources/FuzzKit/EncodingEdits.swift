import Foundation

/// Edits of a text file's bytes that any reader must survive: truncation, stray bytes, line
/// ends, byte order marks, UTF-16 and Latin-1. Shared by the spec and data mutators.
enum EncodingEdits {
    static let count = 6

    /// Applies edit `choice` (0..<count). `accent` puts a non-ASCII character into the text,
    /// so a Latin-1 re-encoding really changes its bytes.
    static func apply(_ choice: Int, to bytes: inout Data, draw: inout Draw, mutations: inout [String], strayBytes: [[UInt8]], accent: (String) -> String) {
        let offset = draw.int(below: bytes.count + 1)
        switch choice {
        case 0:
            bytes = bytes.prefix(offset)
            mutations.append("truncated at byte \(offset)")
        case 1:
            let inserted = draw.pick(strayBytes)
            bytes.insert(contentsOf: inserted, at: bytes.startIndex + offset)
            mutations.append("inserted bytes \(inserted) at \(offset)")
        case 2:
            let crOnly = draw.chance(0.5)
            bytes = Data(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\n", with: crOnly ? "\r" : "\r\n").utf8)
            mutations.append(crOnly ? "CR line ends" : "CRLF line ends")
        case 3:
            bytes = Data([0xEF, 0xBB, 0xBF]) + bytes
            mutations.append("UTF-8 byte order mark")
        case 4:
            bytes = Data([0xFF, 0xFE]) + (String(decoding: bytes, as: UTF8.self).data(using: .utf16LittleEndian) ?? Data())
            mutations.append("UTF-16LE with byte order mark")
        default:
            bytes = accent(String(decoding: bytes, as: UTF8.self)).data(using: .isoLatin1, allowLossyConversion: true) ?? bytes
            mutations.append("Latin-1 encoded")
        }
    }
}
