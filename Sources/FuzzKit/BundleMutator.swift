import Foundation
import Packaging
import ZIPFoundation

/// Bundle mutants: edits of model.json, manifest.json and profile.json (numbers, indices, arrays, types,
/// packed arrays) with digests.json recomputed, so they pass the archive checks and reach
/// the structure validation; and byte-level truncation and bit flips of the archive.
struct BundleMutator {
    static let interestingIntegers: [Int] = [-1, 0, 1, 2, 3, 7, 100, 65_535, 1 << 31, 1 << 53, Int.max, Int.min]
    /// Numbers, and the strings bundles use for non-finite ones.
    static let interestingNumbers: [Double] = [0.0, -0.0, 1e-320, 1e308, -1e308, 0.5, 1e15]
    static let nonFiniteStrings = ["nan", "inf", "-inf"]

    var draw: Draw
    var mutations: [String] = []

    mutating func mutate(_ bundle: Data) -> Data {
        if draw.chance(0.2) { return editBytes(bundle) }
        guard var entries = try? Self.entries(bundle),
              var model = entries["model.json"].flatMap({ try? JSONSerialization.jsonObject(with: $0, options: [.fragmentsAllowed]) }),
              var manifest = entries["manifest.json"].flatMap({ try? JSONSerialization.jsonObject(with: $0, options: [.fragmentsAllowed]) })
        else { return bundle }
        var profile = entries["profile.json"].flatMap { try? JSONSerialization.jsonObject(with: $0, options: [.fragmentsAllowed]) }
        // Format 3: a large model's arrays are binary entries; edit their bytes as packed ones.
        let binary = entries.keys.filter { $0.hasPrefix("arrays/") }.sorted()
        var editedBinary = false
        if !binary.isEmpty, draw.chance(0.4) {
            let name = draw.pick(binary)
            if let edited = editPackedBytes([UInt8](entries[name]!)) {
                entries[name] = Data(edited)
                mutations.append("\(name): binary array edited")
                editedBinary = true
            }
        }
        for _ in 0..<(editedBinary ? draw.int(0...2) : draw.int(1...3)) {
            if profile != nil, draw.chance(0.25) {
                edit(&profile!, in: "profile.json")
            } else if draw.chance(0.8) {
                edit(&model, in: "model.json")
            } else {
                edit(&manifest, in: "manifest.json")
            }
        }
        entries["model.json"] = (try? JSONSerialization.data(withJSONObject: model, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
        entries["manifest.json"] = (try? JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
        if let profile { entries["profile.json"] = (try? JSONSerialization.data(withJSONObject: profile, options: [.sortedKeys, .fragmentsAllowed])) ?? Data() }
        var digests: [String: String] = [:]
        for (name, content) in entries where name != "digests.json" { digests[name] = Hashing.sha256(content) }
        entries["digests.json"] = try? JSONSerialization.data(withJSONObject: digests, options: [.sortedKeys])
        return (try? Self.archive(entries)) ?? bundle
    }

    private mutating func editBytes(_ bundle: Data) -> Data {
        var bytes = [UInt8](bundle)
        if draw.chance(0.5) {
            let length = draw.int(below: bytes.count)
            mutations.append("truncated to \(length) bytes")
            return Data(bytes.prefix(length))
        }
        for _ in 0..<draw.int(1...3) {
            let position = draw.int(below: bytes.count)
            bytes[position] ^= UInt8(1) << UInt8(draw.int(0...7))
            mutations.append("flipped a bit of byte \(position)")
        }
        return Data(bytes)
    }

    /// Paths to every value in a JSON tree: dictionary keys and array indices.
    private static func paths(_ value: Any, prefix: [PathPart] = []) -> [[PathPart]] {
        var result = [prefix]
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() { result += paths(object[key]!, prefix: prefix + [.key(key)]) }
        } else if let array = value as? [Any] {
            // Long arrays: a sample of positions, so one big forest does not swamp the choice.
            let positions = array.count <= 16 ? Array(array.indices) : [0, 1, array.count / 2, array.count - 2, array.count - 1]
            for index in positions { result += paths(array[index], prefix: prefix + [.index(index)]) }
        }
        return result
    }

    enum PathPart: CustomStringConvertible {
        case key(String), index(Int)
        var description: String {
            switch self {
            case .key(let key): return "." + key
            case .index(let index): return "[\(index)]"
            }
        }
    }

    private static func get(_ value: Any, _ path: ArraySlice<PathPart>) -> Any {
        guard let first = path.first else { return value }
        switch first {
        case .key(let key): return get((value as! [String: Any])[key]!, path.dropFirst())
        case .index(let index): return get((value as! [Any])[index], path.dropFirst())
        }
    }

    /// Sets (or, with nil, removes) the value at `path`.
    private static func set(_ root: inout Any, _ path: ArraySlice<PathPart>, _ newValue: Any?) {
        guard let first = path.first else {
            if let newValue { root = newValue }
            return
        }
        switch first {
        case .key(let key):
            var object = root as! [String: Any]
            if path.count == 1 {
                object[key] = newValue
            } else {
                var child = object[key]!
                set(&child, path.dropFirst(), newValue)
                object[key] = child
            }
            root = object
        case .index(let index):
            var array = root as! [Any]
            if path.count == 1 {
                if let newValue { array[index] = newValue } else { array.remove(at: index) }
            } else {
                var child = array[index]
                set(&child, path.dropFirst(), newValue)
                array[index] = child
            }
            root = array
        }
    }

    private mutating func edit(_ root: inout Any, in file: String) {
        let all = Self.paths(root)
        let path = draw.pick(all)
        let place = file + path.map(\.description).joined()
        let value = Self.get(root, path[...])
        switch draw.int(0...9) {
        case 0, 1, 2:
            if value is String, let packed = editPacked(value as! String) {
                Self.set(&root, path[...], packed)
                mutations.append("\(place): packed array edited")
            } else if value is NSNumber || value is Int || value is Double {
                let replacement: Any = draw.chance(0.5) ? draw.pick(Self.interestingIntegers) : draw.chance(0.6) ? draw.pick(Self.interestingNumbers) : draw.pick(Self.nonFiniteStrings)
                Self.set(&root, path[...], replacement)
                mutations.append("\(place) := \(replacement)")
            } else {
                Self.set(&root, path[...], draw.pick(Self.interestingIntegers))
                mutations.append("\(place) := a number")
            }
        case 3:
            guard !path.isEmpty else { return }
            Self.set(&root, path[...], nil)
            mutations.append("\(place) removed")
        case 4:
            guard let array = value as? [Any] else { return }
            let keep = draw.pick([0, 1, array.count / 2, max(0, array.count - 1)])
            Self.set(&root, path[...], Array(array.prefix(keep)))
            mutations.append("\(place) truncated to \(keep) items")
        case 5:
            guard let array = value as? [Any], let item = array.first else { return }
            Self.set(&root, path[...], array + [item])
            mutations.append("\(place) got a duplicate of its first item")
        case 6:
            let replacement: Any = draw.pick(["x", NSNull(), [Any](), [String: Any](), true, "0"] as [Any])
            Self.set(&root, path[...], replacement)
            mutations.append("\(place) := \(replacement) (another type)")
        case 7:
            guard let array = value as? [Any], array.count > 1 else { return }
            var swapped = array
            swapped.swapAt(0, array.count - 1)
            Self.set(&root, path[...], swapped)
            mutations.append("\(place): first and last items swapped")
        case 8:
            // A tree node's child pointing back at the node itself or at the root.
            guard let index = path.last, case .index(let position) = index, value is NSNumber || value is Int else { return }
            let target = draw.chance(0.5) ? position : 0
            Self.set(&root, path[...], target)
            mutations.append("\(place) := \(target) (points back)")
        default:
            guard value is String, let sibling = Self.paths(root).compactMap({ Self.get(root, $0[...]) as? String }).randomElement(using: &draw.generator) else { return }
            Self.set(&root, path[...], sibling)
            mutations.append("\(place) := '\(sibling.prefix(40))'")
        }
    }

    /// A base64 packed array with bytes changed, cut or extended; nil for other strings.
    private mutating func editPacked(_ text: String) -> String? {
        guard text.count >= 12, let bytes = Data(base64Encoded: text).map([UInt8].init) else { return nil }
        return editPackedBytes(bytes).map { Data($0).base64EncodedString() }
    }

    /// A packed array's bytes changed, cut or extended; nil when there are none.
    private mutating func editPackedBytes(_ original: [UInt8]) -> [UInt8]? {
        guard !original.isEmpty else { return nil }
        var bytes = original
        switch draw.int(0...3) {
        case 0:
            let position = draw.int(below: bytes.count)
            bytes[position] ^= 0xFF
        case 3 where bytes.count % 4 == 0:
            // As 32-bit integers (tree child and feature indices): one points at itself, back
            // at the root, past the end, or far away.
            let count = bytes.count / 4, element = draw.int(below: count)
            let value = Int32(truncatingIfNeeded: draw.pick([element, 0, count, count + 1, -2, Int(Int32.max)]))
            withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(element * 4..<element * 4 + 4, with: $0) }
        case 1: bytes = Array(bytes.prefix(draw.int(below: bytes.count)))
        default: bytes += [0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0]
        }
        return bytes
    }

    static func entries(_ bundle: Data) throws -> [String: Data] {
        let archive = try Archive(data: bundle, accessMode: .read)
        var entries: [String: Data] = [:]
        for entry in archive {
            var content = Data()
            _ = try archive.extract(entry, skipCRC32: true) { content.append($0) }
            entries[entry.path] = content
        }
        return entries
    }

    static func archive(_ entries: [String: Data]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for name in entries.keys.sorted() {
            let content = entries[name]!
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(content.count), compressionMethod: .deflate) { position, size in
                content.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return archive.data ?? Data()
    }
}
