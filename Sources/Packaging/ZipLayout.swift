import Foundation

/// Checks a zip archive's directory before the zip library reads it: every offset and size
/// the directory declares must lie inside the file. The library trusts them (an entry whose
/// offset points past the end traps while reading from memory), and a bundle can come from
/// anywhere. Also where each stored (uncompressed) entry's bytes are, so a bundle's binary
/// arrays are read in place instead of through the zip library.
enum ZipLayout {
    /// An entry kept without compression: its name and where its bytes lie in the archive.
    struct StoredEntry: Equatable {
        var name: String
        var range: Range<Int>
    }

    @discardableResult
    static func check(_ zip: Data) throws(BundleError) -> [StoredEntry] {
        // Indexed in place: no copy of a large bundle.
        let base = zip.startIndex, size = zip.count
        func byte(_ at: Int) -> UInt8 { zip[base + at] }
        func u16(_ at: Int) -> Int { Int(byte(at)) | Int(byte(at + 1)) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func damaged(_ what: String) -> BundleError { .invalid("the bundle archive is damaged: \(what)") }

        // The end-of-central-directory record: 22 bytes plus a comment of up to 65,535.
        let lowest = max(0, size - 22 - 65_535)
        var end = size - 22
        while end >= lowest, !(byte(end) == 0x50 && byte(end + 1) == 0x4B && byte(end + 2) == 0x05 && byte(end + 3) == 0x06) { end -= 1 }
        guard end >= lowest, end >= 0 else { throw damaged("the zip directory is missing or wrong (a truncated or partly copied file?)") }
        let count = u16(end + 10), directorySize = u32(end + 12), directoryOffset = u32(end + 16)
        guard count != 0xFFFF, directorySize != 0xFFFF_FFFF, directoryOffset != 0xFFFF_FFFF else {
            throw damaged("it uses zip64 extensions, which bundles never need")
        }
        guard directoryOffset + directorySize <= end else { throw damaged("the zip directory lies outside the file") }
        var position = directoryOffset
        var stored: [StoredEntry] = []
        for _ in 0..<count {
            guard position + 46 <= directoryOffset + directorySize, u32(position) == 0x0201_4B50 else {
                throw damaged("the zip directory is missing or wrong (a truncated or partly copied file?)")
            }
            let flags = u16(position + 8), compressed = u32(position + 20), uncompressed = u32(position + 24)
            let nameLength = u16(position + 28), extraLength = u16(position + 30), commentLength = u16(position + 32)
            let local = u32(position + 42), method = u16(position + 10)
            let nameStart = position + 46
            guard compressed != 0xFFFF_FFFF, uncompressed != 0xFFFF_FFFF, local != 0xFFFF_FFFF else {
                throw damaged("it uses zip64 extensions, which bundles never need")
            }
            position += 46 + nameLength + extraLength + commentLength
            guard position <= directoryOffset + directorySize else { throw damaged("an entry of the zip directory runs past it") }
            guard local + 30 <= directoryOffset, u32(local) == 0x0403_4B50 else { throw damaged("an entry's header is damaged") }
            let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
            // A data descriptor (flag bit 3) follows the data: up to 16 bytes.
            let descriptor = flags & 0x08 != 0 ? 16 : 0
            guard dataStart + compressed + descriptor <= directoryOffset else { throw damaged("an entry's data runs past the end of the file") }
            let localCompressed = u32(local + 18)
            guard flags & 0x08 != 0 || localCompressed == compressed else { throw damaged("an entry's header disagrees with the zip directory") }
            if method == 0 {
                guard compressed == uncompressed else { throw damaged("a stored entry's sizes disagree") }
                let name = String(decoding: zip[(base + nameStart)..<(base + nameStart + nameLength)], as: UTF8.self)
                stored.append(StoredEntry(name: name, range: dataStart..<(dataStart + compressed)))
            }
        }
        guard position == directoryOffset + directorySize else { throw damaged("the zip directory holds more than its entries") }
        return stored
    }
}
